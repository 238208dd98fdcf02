import { createSuperadmin } from '../src/cli/commands';
import { AuditService } from '../src/modules/audit/audit.service';
import { seedDemoData } from '../src/seed/seed';
import { DEMO_CONSORTIUM, DEMO_PASSWORD } from '../src/seed/demo-data';
import { createTestApp, TestApp } from './support/test-app';

describe('demo data and the command line', () => {
  let test: TestApp;
  beforeAll(async () => (test = await createTestApp()));
  afterAll(() => test.close());

  describe('the demo seed', () => {
    beforeAll(async () => {
      await seedDemoData(test.dataSource, test.app.get(AuditService), () => undefined);
    });

    it('builds the eastern counties consortium with the five counties and their partners as members', async () => {
      const rows = await test.dataSource.query(
        `SELECT o.name, m.status FROM consortium_memberships m
           JOIN organisations o ON o.id = m.organisation_id
           JOIN consortia c ON c.id = m.consortium_id
          WHERE c.name = $1 ORDER BY o.name`,
        [DEMO_CONSORTIUM.name],
      );
      const active = rows
        .filter((r: { status: string }) => r.status === 'active')
        .map((r: { name: string }) => r.name);
      expect(active).toEqual(
        expect.arrayContaining([
          'Lincolnshire County Council',
          'Norfolk County Council',
          'Suffolk County Council',
          'Essex County Council',
          'Kent County Council',
          'Great Yarmouth Borough Council',
          'Eastern Inshore Fisheries and Conservation Authority',
        ]),
      );
      expect(rows).toContainEqual({ name: 'Delt Shared Services Ltd', status: 'invited' });
      expect(rows).toContainEqual({ name: 'Broadland Schools Academy Trust', status: 'requested' });
    });

    it.each(['admin@norfolk.gov.uk', 'cio@kent.gov.uk', 'finance@essex.gov.uk', 'viewer@suffolk.gov.uk'])(
      'lets the demo user %s sign in with the documented password',
      async (email) => {
        const response = await test
          .http()
          .post('/api/v1/auth/login')
          .send({ email, password: DEMO_PASSWORD })
          .expect(200);
        expect(response.body.accessToken).toEqual(expect.any(String));
      },
    );

    it('gives the consortium administrator the consortium_admin role for the demo consortium', async () => {
      const login = await test
        .http()
        .post('/api/v1/auth/login')
        .send({ email: 'consortium.admin@norfolk.gov.uk', password: DEMO_PASSWORD })
        .expect(200);
      const me = await test
        .http()
        .get('/api/v1/auth/me')
        .set('Authorization', `Bearer ${login.body.accessToken}`)
        .expect(200);
      const [consortium] = await test.dataSource.query('SELECT id FROM consortia WHERE name = $1', [
        DEMO_CONSORTIUM.name,
      ]);
      expect(me.body.consortiumAdminOf).toEqual([consortium.id]);
    });
  });

  describe('create-superadmin', () => {
    const password = 'a-long-superadmin-password';
    beforeAll(() => (process.env.SUPERADMIN_PASSWORD = password));
    afterAll(() => delete process.env.SUPERADMIN_PASSWORD);

    it('creates a superadmin who can sign in, and records it in the audit log', async () => {
      await createSuperadmin(process.env.CONSORTIUM_TEST_DATABASE_URL!, [
        '--email',
        'Platform.Admin@Example.gov.uk',
        '--name',
        'Platform Admin',
        '--organisation',
        'Platform Operations Test',
      ]);
      const login = await test
        .http()
        .post('/api/v1/auth/login')
        .send({ email: 'platform.admin@example.gov.uk', password })
        .expect(200);
      const me = await test
        .http()
        .get('/api/v1/auth/me')
        .set('Authorization', `Bearer ${login.body.accessToken}`)
        .expect(200);
      expect(me.body.isSuperadmin).toBe(true);
      const audit = await test.dataSource.query(
        `SELECT actor_type, action FROM audit_events WHERE entity_id = $1 AND action = 'user.superadmin_granted'`,
        [me.body.id],
      );
      expect(audit).toEqual([{ actor_type: 'system', action: 'user.superadmin_granted' }]);
    });

    it('refuses a short password', async () => {
      process.env.SUPERADMIN_PASSWORD = 'short';
      await expect(
        createSuperadmin(process.env.CONSORTIUM_TEST_DATABASE_URL!, [
          '--email',
          'x@example.gov.uk',
          '--name',
          'X',
          '--organisation',
          'Y',
        ]),
      ).rejects.toThrow(/at least 12 characters/);
      process.env.SUPERADMIN_PASSWORD = password;
    });
  });
});
