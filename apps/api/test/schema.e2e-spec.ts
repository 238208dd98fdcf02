import { DataSource } from 'typeorm';
import { pendingSchemaChanges } from '../src/database/run-migrations';
import { anOrganisation } from './support/builders';
import { asOwner } from './support/databases';
import { createTestApp, TestApp } from './support/test-app';

describe('database schema', () => {
  let test: TestApp;
  beforeAll(async () => (test = await createTestApp()));
  afterAll(() => test.close());

  it('matches the entities exactly once the migrations have run (generating a migration would produce nothing)', async () => {
    const changes = await pendingSchemaChanges(process.env.CONSORTIUM_TEST_OWNER_DATABASE_URL!);
    expect(changes).toEqual([]);
  });

  describe('the audit log is append-only in the database itself', () => {
    let ds: DataSource;
    let eventId: string;
    beforeAll(async () => {
      ds = test.dataSource;
      const organisation = await anOrganisation(ds);
      const [row] = await ds.query(
        `INSERT INTO audit_events (actor_type, actor_label, organisation_id, action, entity_type, entity_id, changes)
         VALUES ('system', 'system', $1, 'test.event', 'organisation', $2, '{}') RETURNING id`,
        [organisation.id, organisation.id],
      );
      eventId = row.id;
    });

    // The API's role may not even try (database-roles.e2e-spec.ts); the trigger refuses the owner too.
    it('rejects UPDATE', async () => {
      await expect(
        asOwner((owner) =>
          owner.query(`UPDATE audit_events SET action = 'tampered' WHERE id = $1`, [eventId]),
        ),
      ).rejects.toThrow(/append-only/);
    });

    it('rejects DELETE', async () => {
      await expect(
        asOwner((owner) => owner.query('DELETE FROM audit_events WHERE id = $1', [eventId])),
      ).rejects.toThrow(/append-only/);
    });
  });
});
