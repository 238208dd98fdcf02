import { MIGRATIONS } from '@consortium/migrations';
import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { CommandFailed, OPERATOR_COMMANDS } from '../src/cli/operator-commands';
import { parseOptions } from '../src/cli/options';
import { loadEnvironment } from '../src/config/environment';
import { dataSourceOptions } from '../src/database/data-source-options';
import { runMigrations } from '../src/database/run-migrations';
import { chainHash, type ChainedEntry, GENESIS_HASH } from '../src/modules/ledger/ledger-chain';
import { aConsortiumWithMembers, aChargePeriod, aPostedCharge } from './support/builders';
import { aDemoDatabase, type DemoDatabase } from './support/demo-database';
import { createTestApp, TEST_SECRETS_KEY, type TestApp } from './support/test-app';

/** As an operator's shell would have it: the secrets key set, so no key file is made in the checkout. */
const CLI_ENV = { NODE_ENV: 'test', SECRETS_KEY: TEST_SECRETS_KEY, LOG_LEVEL: 'silent', ADMIN_UI_DIR: '' };

/** Runs `verify-ledger` against `databaseUrl` in this process, collecting what it prints. */
async function verifyLedger(databaseUrl: string): Promise<{ lines: string[]; failure?: Error }> {
  const command = OPERATOR_COMMANDS.find((c) => c.spec.name === 'verify-ledger');
  if (!command) throw new Error('no verify-ledger command');
  const lines: string[] = [];
  try {
    await command.run(loadEnvironment(CLI_ENV), databaseUrl, parseOptions(command.spec, []), {
      line: (l) => lines.push(l),
    });
    return { lines };
  } catch (error) {
    return { lines, failure: error as Error };
  }
}

/** The server's superuser on the database of `url`: to change what no login of the API could. */
function asSuperuser(url: string): string {
  const server = new URL(process.env.CONSORTIUM_TEST_SERVER_URL as string);
  server.pathname = new URL(url).pathname;
  return server.toString();
}

/** Runs `work` as the superuser with triggers off (session_replication_role = replica): the tampering to catch. */
async function tamper(url: string, work: (client: Client) => Promise<unknown>): Promise<void> {
  const client = new Client({ connectionString: asSuperuser(url) });
  await client.connect();
  try {
    await client.query('BEGIN');
    await client.query('SET LOCAL session_replication_role = replica');
    await work(client);
    await client.query('COMMIT');
  } finally {
    await client.end();
  }
}

/** The value of one series in a Prometheus text exposition, or undefined when the series is absent. */
function sample(body: string, name: string): number | undefined {
  const line = body.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

interface LinkRow {
  position: string;
  previous_hash: string;
  hash: string;
  id: string;
  consortium_id: string;
  billing_period_id: string;
  kind: string;
  currency: string;
  source_type: string;
  source_id: string;
  reverses_entry_id: string | null;
  description: string;
  created_at: string;
  postings: ChainedEntry['postings'];
}

/** A consortium's chain read back, each link's hash recomputed here from its entry and postings. */
async function chainOf(
  query: (sql: string, params: unknown[]) => Promise<unknown[]>,
  consortiumId: string,
): Promise<
  { position: number; previousHash: string; hash: string; recomputed: string; createdAt: string }[]
> {
  const rows = (await query(
    `SELECT h.position::text AS position, h.previous_hash, h.hash, e.id, e.consortium_id, e.billing_period_id,
            e.kind::text AS kind, e.currency, e.source_type, e.source_id, e.reverses_entry_id, e.description,
            to_char(e.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_at,
            (SELECT json_agg(json_build_object('accountId', p.account_id, 'amountMinor', p.amount_minor::text,
                                               'currency', p.currency,
                                               'counterpartyOrganisationId', p.counterparty_organisation_id))
               FROM postings p WHERE p.journal_entry_id = e.id) AS postings
       FROM journal_entry_hashes h JOIN journal_entries e ON e.id = h.journal_entry_id
      WHERE h.consortium_id = $1 ORDER BY h.position`,
    [consortiumId],
  )) as LinkRow[];
  return rows.map((row) => {
    const entry: ChainedEntry = {
      id: row.id,
      consortiumId: row.consortium_id,
      billingPeriodId: row.billing_period_id,
      kind: row.kind,
      currency: row.currency,
      createdAt: row.created_at,
      sourceType: row.source_type,
      sourceId: row.source_id,
      reversesEntryId: row.reverses_entry_id ?? null,
      description: row.description,
      postings: row.postings,
    };
    return {
      position: Number(row.position),
      previousHash: row.previous_hash,
      hash: row.hash,
      recomputed: chainHash(row.position, row.previous_hash, entry),
      createdAt: row.created_at,
    };
  });
}

/** Positions 1…n, each link following on from the one before, each hash what the entry hashes to. */
function expectUnbroken(chain: Awaited<ReturnType<typeof chainOf>>, length: number): void {
  expect(chain.map((link) => link.position)).toEqual(Array.from({ length }, (_, i) => i + 1));
  chain.forEach((link, index) => {
    expect(link.previousHash).toBe(index === 0 ? GENESIS_HASH : chain[index - 1].hash);
    expect(link.hash).toBe(link.recomputed);
  });
}

describe('verify-ledger and the hash chain', () => {
  describe('on a copy of the demo, with its two settled quarters and an open one', () => {
    let demo: DemoDatabase;
    beforeEach(async () => (demo = await aDemoDatabase()), 120_000);
    afterEach(() => demo.drop());

    it('finds the ledger intact, records the result and serves it as metrics', async () => {
      const { lines, failure } = await verifyLedger(demo.url);
      expect(failure).toBeUndefined();
      expect(lines[0]).toMatch(/^Recomputing \d+ account balances from \d+ postings…$/);
      expect(lines).toContainEqual(expect.stringMatching(/^ {2}\d+ balances checked: 0 differ$/));
      expect(lines.some((l) => /^Checking the hash chains of 1 consortia \(\d+ entries\)…$/.test(l))).toBe(
        true,
      );
      expect(lines.at(-1)).toBe(
        'The ledger is intact: every balance agrees with its postings and every hash chain is unbroken',
      );

      const app = await createTestApp({}, demo.url);
      try {
        const [recorded] = await app.dataSource.query(
          `SELECT ok, differences, journal_entries, extract(epoch FROM finished_at)::float8 AS finished,
                  (SELECT count(*)::int FROM journal_entries) AS entries
             FROM ledger_verifications ORDER BY finished_at DESC LIMIT 1`,
        );
        expect(recorded).toMatchObject({ ok: true, differences: 0 });
        expect(recorded.journal_entries).toBe(recorded.entries);
        expect(recorded.entries).toBeGreaterThan(10);
        const metrics = (await app.http().get('/metrics').expect(200)).text;
        expect(sample(metrics, 'consortium_ledger_verified_ok')).toBe(1);
        expect(sample(metrics, 'consortium_ledger_verified_differences')).toBe(0);
        expect(sample(metrics, 'consortium_ledger_verified_timestamp_seconds')).toBeCloseTo(
          recorded.finished,
          3,
        );
      } finally {
        await app.close();
      }
    });

    it('exits non-zero naming the balance, the entry and the link when a posting is changed behind the triggers', async () => {
      const [posting] = await queryOn(
        demo.url,
        `SELECT p.id, p.journal_entry_id, h.position::text AS position FROM postings p
           JOIN journal_entry_hashes h ON h.journal_entry_id = p.journal_entry_id
          WHERE p.amount_minor > 0 ORDER BY h.position LIMIT 1`,
      );
      await tamper(demo.url, (client) =>
        client.query('UPDATE postings SET amount_minor = amount_minor + 100 WHERE id = $1', [posting.id]),
      );

      const { lines, failure } = await verifyLedger(demo.url);
      expect(failure).toBeInstanceOf(CommandFailed);
      expect(failure?.message).toMatch(/^The ledger differs from what was posted in 3 place\(s\)/);
      expect(lines).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/: a stored balance of -?\d+ \(\d+ postings\) but postings summing to -?\d+/),
          expect.stringMatching(
            new RegExp(`journal entry ${posting.journal_entry_id} does not balance: its postings sum to 100`),
          ),
          expect.stringMatching(
            new RegExp(
              `journal entry ${posting.journal_entry_id} \\(link ${posting.position}\\) has changed since it was chained`,
            ),
          ),
        ]),
      );

      const app = await createTestApp({}, demo.url);
      try {
        const metrics = (await app.http().get('/metrics').expect(200)).text;
        expect(sample(metrics, 'consortium_ledger_verified_ok')).toBe(0);
        expect(sample(metrics, 'consortium_ledger_verified_differences')).toBe(3);
      } finally {
        await app.close();
      }
    });

    it('notices a stored balance changed behind the trigger', async () => {
      await tamper(demo.url, (client) =>
        client.query(
          `UPDATE account_balances SET balance_minor = balance_minor - 5000
            WHERE (account_id, billing_period_id) = (SELECT account_id, billing_period_id FROM account_balances
                                                      ORDER BY account_id, billing_period_id LIMIT 1)`,
        ),
      );
      const { lines, failure } = await verifyLedger(demo.url);
      expect(failure).toBeInstanceOf(CommandFailed);
      expect(lines.filter((l) => l.includes('but postings summing to'))).toHaveLength(1);
      expect(lines).toContainEqual(
        expect.stringMatching(/^Verified \d+ journal entries, .*: 1 difference\(s\)$/),
      );
    });

    it('notices entries cut off the end of a chain since the previous verification, balances and all', async () => {
      expect((await verifyLedger(demo.url)).failure).toBeUndefined();
      // The last entry removed with its link, and the balances put back as if it had never been posted.
      await tamper(demo.url, async (client) => {
        const {
          rows: [last],
        } = await client.query(
          'SELECT journal_entry_id FROM journal_entry_hashes ORDER BY position DESC LIMIT 1',
        );
        await client.query(
          `UPDATE account_balances b SET balance_minor = b.balance_minor - p.amount_minor,
                                         posting_count = b.posting_count - 1
             FROM postings p
            WHERE p.journal_entry_id = $1 AND b.account_id = p.account_id AND b.billing_period_id = p.billing_period_id`,
          [last.journal_entry_id],
        );
        await client.query('DELETE FROM account_balances WHERE posting_count = 0');
        for (const table of ['journal_entry_hashes', 'postings']) {
          await client.query(`DELETE FROM ${table} WHERE journal_entry_id = $1`, [last.journal_entry_id]);
        }
        await client.query('DELETE FROM journal_entries WHERE id = $1', [last.journal_entry_id]);
      });

      const { lines, failure } = await verifyLedger(demo.url);
      expect(failure).toBeInstanceOf(CommandFailed);
      expect(lines).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/link \d+, the last one the previous verification saw, is gone$/),
        ]),
      );
      expect(lines.some((l) => l.includes('but postings summing to'))).toBe(false);
    });
  });

  describe('with entries posted at the same time', () => {
    let test: TestApp;
    beforeAll(async () => (test = await createTestApp()));
    afterAll(() => test.close());
    const query = (sql: string, params: unknown[]) => test.dataSource.query(sql, params);

    it('chains twenty entries posted at once into one unbroken sequence', async () => {
      const world = await aConsortiumWithMembers(test.dataSource);
      const period = await aChargePeriod(test.dataSource, world.consortium, '2026-10');
      await Promise.all(
        Array.from({ length: 20 }, (_, index) =>
          aPostedCharge(test, {
            consortiumId: world.consortium.id,
            billingPeriodId: period.id,
            providerId: index % 2 ? world.home.id : world.other.id,
            consumerId: index % 2 ? world.other.id : world.home.id,
            amountMinor: 1_000 + index,
          }),
        ),
      );
      expectUnbroken(await chainOf(query, world.consortium.id), 20);
    });

    it('chains two transactions that hold entries at once in the order they commit', async () => {
      const world = await aConsortiumWithMembers(test.dataSource);
      // Each transaction posts into a period of its own: postings to the same account and period wait for each
      // other already (the balance row), while the chain is one per consortium.
      const periods = [
        await aChargePeriod(test.dataSource, world.consortium, '2026-10'),
        await aChargePeriod(test.dataSource, world.consortium, '2026-11'),
      ];
      await aPostedCharge(test, {
        consortiumId: world.consortium.id,
        billingPeriodId: periods[0].id,
        providerId: world.home.id,
        consumerId: world.other.id,
        amountMinor: 500,
      });
      const accounts = await test.dataSource.query(
        'SELECT id FROM ledger_accounts WHERE consortium_id = $1 ORDER BY kind',
        [world.consortium.id],
      );
      const clients = [0, 1].map(
        () => new Client({ connectionString: process.env.CONSORTIUM_TEST_DATABASE_URL as string }),
      );
      try {
        for (const client of clients) await client.connect();
        // Both entries are written before either commits; then both commit at once.
        for (const [index, client] of clients.entries()) {
          await client.query('BEGIN');
          const {
            rows: [entry],
          } = await client.query(
            `INSERT INTO journal_entries (consortium_id, billing_period_id, kind, description, source_type, source_id,
                                          created_by_label, currency)
             VALUES ($1, $2, 'charge', $3, 'test_charge', $4, 'test', 'GBP') RETURNING id`,
            [world.consortium.id, periods[index].id, `Concurrent ${index}`, randomUUID()],
          );
          await client.query(
            `INSERT INTO postings (journal_entry_id, account_id, amount_minor, currency)
             VALUES ($1, $2, $4, 'GBP'), ($1, $3, -$4::bigint, 'GBP')`,
            [entry.id, accounts[0].id, accounts[1].id, 100 + index],
          );
        }
        await Promise.all(clients.map((client) => client.query('COMMIT')));
      } finally {
        await Promise.all(clients.map((client) => client.end()));
      }
      expectUnbroken(await chainOf(query, world.consortium.id), 3);
    });
  });

  describe('on a database migrated before entries had a currency and a chain', () => {
    const name = `${process.env.CONSORTIUM_TEST_DATABASE}_chain_${randomBytes(3).toString('hex')}`;
    const url = () => {
      const server = new URL(process.env.CONSORTIUM_TEST_SERVER_URL as string);
      server.pathname = `/${name}`;
      return server.toString();
    };
    const admin = async (sql: string) => {
      const client = new Client({ connectionString: process.env.CONSORTIUM_TEST_SERVER_URL });
      await client.connect();
      try {
        await client.query(sql);
      } finally {
        await client.end();
      }
    };
    beforeAll(() => admin(`CREATE DATABASE "${name}"`));
    afterAll(() => admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));

    it('gives each existing entry its postings’ currency and a link in its consortium’s chain, and closes it to new postings', async () => {
      const before = MIGRATIONS.findIndex((migration) => migration.name.startsWith('LedgerGuards'));
      const old = new DataSource({ ...dataSourceOptions(url()), migrations: MIGRATIONS.slice(0, before) });
      await old.initialize();
      const consortia: string[] = [];
      try {
        await old.runMigrations({ transaction: 'each' });
        const [a, b] = await old.query(
          `INSERT INTO organisations (name, type, region) VALUES ('Old A', 'county_council', 'East'),
                                                              ('Old B', 'county_council', 'East') RETURNING id`,
        );
        for (const label of ['Old consortium 1', 'Old consortium 2']) {
          const [consortium] = await old.query(
            `INSERT INTO consortia (name, billing_cycle, rules) VALUES ($1, 'monthly', '{}') RETURNING id`,
            [label],
          );
          consortia.push(consortium.id);
          const [period] = await old.query(
            `INSERT INTO billing_periods (consortium_id, key, cycle, start_date, end_date)
             VALUES ($1, '2026-09', 'monthly', '2026-09-01', '2026-09-30') RETURNING id`,
            [consortium.id],
          );
          const accounts: string[] = [];
          for (const [organisation, kind] of [
            [a.id, 'receivable'],
            [b.id, 'payable'],
          ]) {
            const [account] = await old.query(
              `INSERT INTO ledger_accounts (consortium_id, organisation_id, kind, currency)
               VALUES ($1, $2, $3, 'GBP') RETURNING id`,
              [consortium.id, organisation, kind],
            );
            accounts.push(account.id);
          }
          for (const amount of [1_000, 2_000, 3_000]) {
            await old.transaction(async (manager) => {
              const [entry] = await manager.query(
                `INSERT INTO journal_entries (consortium_id, billing_period_id, kind, description, source_type,
                                              source_id, created_by_label)
                 VALUES ($1, $2, 'charge', 'Before the chain', 'test_charge', $3, 'test') RETURNING id`,
                [consortium.id, period.id, randomUUID()],
              );
              await manager.query(
                `INSERT INTO postings (journal_entry_id, account_id, amount_minor, currency)
                 VALUES ($1, $2, $4, 'GBP'), ($1, $3, -$4::bigint, 'GBP')`,
                [entry.id, accounts[0], accounts[1], amount],
              );
            });
          }
        }
      } finally {
        await old.destroy();
      }

      await runMigrations(url(), () => undefined);

      const client = new Client({ connectionString: url() });
      await client.connect();
      try {
        const query = async (sql: string, params: unknown[]) => (await client.query(sql, params)).rows;
        for (const consortiumId of consortia) {
          const chain = await chainOf(query, consortiumId);
          expectUnbroken(chain, 3);
          expect(chain.map((link) => link.createdAt)).toEqual(chain.map((link) => link.createdAt).sort());
        }
        const entries = await query('SELECT currency, created_txid::text AS txid FROM journal_entries', []);
        expect(entries).toEqual(Array(6).fill({ currency: 'GBP', txid: '0' }));
        const [legacy] = await query('SELECT id, consortium_id FROM journal_entries LIMIT 1', []);
        const accounts = await query(
          'SELECT id FROM ledger_accounts WHERE consortium_id = $1 ORDER BY kind',
          [legacy.consortium_id],
        );
        await expect(
          client.query(
            `INSERT INTO postings (journal_entry_id, account_id, amount_minor, currency)
             VALUES ($1, $2, 10, 'GBP'), ($1, $3, -10, 'GBP')`,
            [legacy.id, accounts[0].id, accounts[1].id],
          ),
        ).rejects.toThrow(/was posted by another transaction/);
      } finally {
        await client.end();
      }
      expect((await verifyLedger(url())).failure).toBeUndefined();
    });
  });
});

/** One query on a database of its own, as the API's role. */
async function queryOn(url: string, sql: string, params: unknown[] = []): Promise<Record<string, string>[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows;
  } finally {
    await client.end();
  }
}
