import { hashPassword } from '@consortium/auth';
import { INestApplication } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../modules/audit/audit.service';
import { Consortium } from '../modules/consortia/consortium.entity';
import { ConsortiumAdmin } from '../modules/consortia/consortium-admin.entity';
import { Membership } from '../modules/consortia/membership.entity';
import { Organisation } from '../modules/organisations/organisation.entity';
import { User } from '../modules/users/user.entity';
import {
  DEMO_CONSORTIUM,
  DEMO_CONSORTIUM_ADMIN,
  DEMO_ORGANISATIONS,
  DEMO_PASSWORD,
  DEMO_ROLE_USERS,
} from './demo-data';

export interface SeedResult {
  organisations: number;
  users: number;
}

/** Builds the demo consortium in one transaction, so a failed seed leaves nothing behind. */
export async function seedDemoData(
  dataSource: DataSource,
  audit: AuditService,
  log: (m: string) => void,
): Promise<SeedResult> {
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  return dataSource.transaction(async (manager) => {
    const consortium = await manager.save(
      manager.create(Consortium, {
        ...DEMO_CONSORTIUM,
        currency: 'GBP',
        rules: { acceptsJoinRequests: true, paymentTermsDays: 30 },
      }),
    );
    const organisations = new Map<string, Organisation>();
    let users = 0;
    for (const [index, demo] of DEMO_ORGANISATIONS.entries()) {
      const organisation = await manager.save(
        manager.create(Organisation, {
          name: demo.name,
          type: demo.type,
          region: demo.region,
          contactName: demo.contactName,
          contactEmail: `ict@${demo.domain}`,
          contactPhone: null,
        }),
      );
      organisations.set(demo.key, organisation);
      await manager.save(
        manager.create(Membership, {
          consortiumId: consortium.id,
          organisationId: organisation.id,
          status: demo.membership,
          note: null,
          joinedAt: demo.membership === 'active' ? new Date() : null,
          leftAt: null,
        }),
      );
      for (const roleUser of DEMO_ROLE_USERS) {
        await insertUser(
          manager,
          organisation.id,
          `${roleUser.localPart}@${demo.domain}`,
          `${demo.name} ${roleUser.name}`,
          roleUser.roles,
          passwordHash,
        );
        users += 1;
      }
      log(`Seeded ${index + 1}/${DEMO_ORGANISATIONS.length} organisations (${demo.name})`);
    }
    const adminOrganisation = organisations.get(DEMO_CONSORTIUM_ADMIN.organisation) as Organisation;
    const admin = await insertUser(
      manager,
      adminOrganisation.id,
      DEMO_CONSORTIUM_ADMIN.email,
      DEMO_CONSORTIUM_ADMIN.name,
      ['viewer'],
      passwordHash,
    );
    await manager.insert(ConsortiumAdmin, { consortiumId: consortium.id, userId: admin.id });
    users += 1;
    await audit.record(manager, 'system', {
      action: 'seed.demo_data',
      entityType: 'consortium',
      entityId: consortium.id,
      consortiumId: consortium.id,
      changes: { organisations: organisations.size, users },
    });
    return { organisations: organisations.size, users };
  });
}

async function insertUser(
  manager: EntityManager,
  organisationId: string,
  email: string,
  name: string,
  roles: User['roles'],
  passwordHash: string,
): Promise<User> {
  return manager.save(
    manager.create(User, {
      organisationId,
      email,
      name,
      roles,
      passwordHash,
      isSuperadmin: false,
      status: 'active',
    }),
  );
}

/** Seeds the demo consortium when the database has no organisations yet; returns whether it did. */
export async function seedIfEmpty(app: INestApplication, log: (m: string) => void): Promise<boolean> {
  const dataSource = app.get(DataSource);
  if ((await dataSource.getRepository(Organisation).count()) > 0) return false;
  log('Empty database: loading the demo consortium');
  const result = await seedDemoData(dataSource, app.get(AuditService), log);
  log(`Demo data ready: ${result.organisations} organisations, ${result.users} users`);
  return true;
}

export function printWelcome(port: number, seeded: boolean): void {
  const base = `http://localhost:${port}`;
  const lines = [
    '',
    'Consortium shared-services marketplace is running',
    `  Admin UI:     ${base}/`,
    `  API:          ${base}/api/v1`,
    `  API docs:     ${base}/api/docs`,
    `  Health:       ${base}/api/v1/health/ready`,
    '',
    `Demo logins (password for all: ${DEMO_PASSWORD})${seeded ? '' : ' — loaded on first start'}:`,
    `  consortium administrator   ${DEMO_CONSORTIUM_ADMIN.email}`,
    '  organisation administrator admin@norfolk.gov.uk   (any council: admin@kent.gov.uk, admin@essex.gov.uk…)',
    '  CIO / service manager      cio@norfolk.gov.uk',
    '  finance                    finance@kent.gov.uk',
    '  viewer                     viewer@suffolk.gov.uk',
    '',
    'Press Ctrl-C to stop.',
    '',
  ];
  console.log(lines.join('\n'));
}
