import type { Server } from 'node:http';
import { Client } from 'pg';
import { Consortium } from '../src/modules/consortia/consortium.entity';
import { Organisation } from '../src/modules/organisations/organisation.entity';
import { aUser, bearerFor, makeConsortiumAdmin } from './support/builders';
import { aSpecDatabase, type SpecDatabase } from './support/databases';
import { type CapturedStatement, captureStatements } from './support/statement-capture';
import { createTestApp, type TestApp } from './support/test-app';

/**
 * The hot lists' statements, planned on a database the size of a big consortium's. Each request goes through the
 * real API while every statement the pg driver runs for it is recorded; each read is then EXPLAINed with the same
 * values, and a named prepared statement (the catalogue's page, the sign-in's look-up) also as its generic plan,
 * which PostgreSQL may settle on after a few executions on a connection. No table that grows with the consortia
 * may be read whole, and the page's statement must stop early, in one of two ways:
 * - a Limit over an index scan in the list's order: rows come out already sorted and the scan stops after the page
 *   (right when the caller may see a good share of the rows, so a page is found after a few dozen);
 * - a Limit over a top-N sort of a set found through indexes: right when the filters narrow the rows to a small
 *   part of the table first (a search, one pair's charges), so sorting them all costs less than walking an order.
 */

/** Tables that grow with the consortia: a list request that reads one of them whole gets slower every quarter. */
const BIG_TABLES = [
  'services',
  'cross_charges',
  'cross_charge_lines',
  'notifications',
  'subscriptions',
  'price_versions',
  'compliance_attestations',
];

const SIZE = {
  organisations: 60,
  services: 3_000,
  /** Quarterly billing periods per consortium. */
  periods: 12,
  notifications: 50_000,
};

/** A node of `EXPLAIN (FORMAT JSON)`, as far as these checks read it. */
interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Plan Rows': number;
  Plans?: PlanNode[];
}

function* nodesOf(node: PlanNode): Generator<PlanNode> {
  yield node;
  for (const child of node.Plans ?? []) yield* nodesOf(child);
}

const nodeLabel = (node: PlanNode) =>
  [
    node['Node Type'],
    node['Index Name'] && `using ${node['Index Name']}`,
    node['Relation Name'] && `on ${node['Relation Name']}`,
  ]
    .filter(Boolean)
    .join(' ');

/** The plan as an indented outline, for failure messages. */
function outline(node: PlanNode, depth = 0): string {
  return [
    `${'  '.repeat(depth)}${nodeLabel(node)} (${node['Plan Rows']} rows estimated)`,
    ...(node.Plans ?? []).map((child) => outline(child, depth + 1)),
  ].join('\n');
}

/** How the page's statement must stop early (see the top of the file). */
type StopsEarly = { by: 'ordered index scan'; index: string } | { by: 'top-N sort' };

/** Nodes that hand rows on in the order their first (outer) child produces them. */
const KEEPS_ORDER = new Set(['Nested Loop', 'Incremental Sort', 'Result', 'Subquery Scan']);
const INDEX_ACCESS = new Set(['Index Scan', 'Index Only Scan', 'Bitmap Heap Scan']);

/** What is wrong with how the page is read, in words, or null when it stops early as expected. */
function earlyStopProblem(
  page: PlanNode,
  table: string,
  expected: StopsEarly,
  tableRows: number,
): string | null {
  const plan = `the plan is:\n${outline(page)}`;
  if (page['Node Type'] !== 'Limit') return `the page's statement has no Limit at its top; ${plan}`;
  if (expected.by === 'ordered index scan') {
    // Follow the rows from the Limit down to where they come from: sorted by an index, with no sort on the way.
    let node = page.Plans?.[0];
    while (node && KEEPS_ORDER.has(node['Node Type'])) node = node.Plans?.[0];
    const ordered =
      node &&
      (node['Node Type'] === 'Index Scan' || node['Node Type'] === 'Index Only Scan') &&
      node['Relation Name'] === table &&
      node['Index Name'] === expected.index;
    return ordered ? null : `expected ${table} to be read in the list's order off ${expected.index}; ${plan}`;
  }
  let node = page.Plans?.[0];
  while (node && node['Node Type'] === 'Result') node = node.Plans?.[0];
  if (node?.['Node Type'] !== 'Sort') return `expected a top-N sort under the Limit; ${plan}`;
  const reads = [...nodesOf(node)].filter((n) => n['Relation Name'] === table);
  if (reads.length === 0 || reads.some((n) => !INDEX_ACCESS.has(n['Node Type']))) {
    return `expected the sorted ${table} rows to be found through an index; ${plan}`;
  }
  // A top-N sort stops early only if what it sorts is small: here, under a tenth of the table.
  if (node['Plan Rows'] > tableRows / 10) {
    return `the sort takes ${node['Plan Rows']} of ${tableRows} ${table} rows, not a narrowed set; ${plan}`;
  }
  return null;
}

/** The seeded world: three consortia of up to 40 members, their catalogues, charges and notifications. */
async function seed(ownerUrl: string): Promise<void> {
  // Quarters from 2023-Q1 on; the last one is still being charged.
  const lastPeriodKey = `${2023 + Math.floor((SIZE.periods - 1) / 4)}-Q${1 + ((SIZE.periods - 1) % 4)}`;
  const client = new Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    await client.query(`
      INSERT INTO organisations (name, type, region)
      SELECT format('Seeded Council %s', lpad(n::text, 2, '0')),
             (ARRAY['county_council', 'district_council', 'unitary_council', 'police', 'fire_and_rescue']
               ::organisation_type[])[1 + n % 5],
             'East of England'
        FROM generate_series(1, ${SIZE.organisations}) AS n`);
    await client.query(`
      INSERT INTO consortia (name, billing_cycle, currency, rules)
      SELECT format('Seeded Consortium %s', n), 'quarterly', 'GBP', '{"acceptsJoinRequests": true, "paymentTermsDays": 30}'
        FROM generate_series(1, 3) AS n`);
    // Consortium 1: members 1–40; consortium 2: 31–55; consortium 3: 46–60 and 1–5.
    await client.query(`
      CREATE TEMPORARY TABLE seeded_members AS
      SELECT c.id AS consortium_id, c.name AS consortium_name, o.id AS organisation_id,
             (row_number() OVER (PARTITION BY c.id ORDER BY o.name) - 1)::int AS rank,
             (count(*) OVER (PARTITION BY c.id))::int AS members
        FROM consortia c JOIN organisations o ON o.name LIKE 'Seeded Council %'
       WHERE c.name LIKE 'Seeded Consortium %'
         AND CASE right(c.name, 1)
               WHEN '1' THEN right(o.name, 2)::int BETWEEN 1 AND 40
               WHEN '2' THEN right(o.name, 2)::int BETWEEN 31 AND 55
               ELSE right(o.name, 2)::int >= 46 OR right(o.name, 2)::int <= 5 END`);
    await client.query(`
      INSERT INTO consortium_memberships (consortium_id, organisation_id, status, joined_at)
      SELECT consortium_id, organisation_id, 'active', now() - interval '3 years' FROM seeded_members`);
    await client.query(`
      INSERT INTO services (consortium_id, provider_organisation_id, category, title, summary, description,
                            service_level, capacity_limit, capacity_unit, vat_treatment, contacts, status,
                            current_price_version, published_at, created_at, updated_at)
      SELECT m.consortium_id, m.organisation_id,
             (enum_range(NULL::service_category))[1 + n % 13],
             format('%s %s %s', (ARRAY['Managed', 'Shared', 'Hosted', 'Secure', 'Regional', 'Resilient', 'Joint',
                                       'Cloud'])[1 + n % 8],
                    (ARRAY['backup', 'disaster recovery', 'service desk', 'firewall', 'GIS mapping', 'telephony',
                           'payroll', 'wide area network', 'data centre', 'training', 'device management',
                           'procurement', 'email', 'web hosting', 'cyber monitoring'])[1 + (n / 8) % 15], n),
             format('Provided to member organisations with %s.',
                    (ARRAY['offsite backup', 'round-the-clock support', 'PSN compliance', 'on-site engineers'])
                      [1 + n % 4]),
             repeat('Run by a shared team for the members of the consortium, with agreed service levels. ', 4),
             '{"hoursOfCover": "24x7", "responseTargetHours": 4, "resolutionTargetHours": 24,
               "availabilityPercent": "99.5"}',
             CASE WHEN n % 3 = 0 THEN NULL ELSE 50 END, 'subscribers', 'outside_scope',
             '[{"name": "Sam Provider", "email": "sam.provider@example.gov.uk"}]',
             (CASE n % 20 WHEN 0 THEN 'draft' WHEN 1 THEN 'retired' WHEN 2 THEN 'suspended' ELSE 'published' END)
               ::service_status,
             1 + n % 3,
             CASE WHEN n % 20 <> 0 THEN now() - make_interval(hours => n) END,
             now() - make_interval(hours => n + 24), now() - make_interval(hours => n)
        FROM generate_series(1, ${SIZE.services}) AS n
        JOIN seeded_members m
          ON m.consortium_name = format('Seeded Consortium %s', CASE WHEN n % 10 < 6 THEN 1 WHEN n % 10 < 8 THEN 2 ELSE 3 END)
         AND m.rank = (n * 7) % m.members`);
    await client.query(`
      INSERT INTO price_versions (service_id, version, plan, currency, created_at)
      SELECT s.id, v, jsonb_build_object('model', 'per_unit', 'currency', 'GBP', 'unitPrice', (10 * v)::text || '.00',
                                         'unitName', 'device'),
             'GBP', s.created_at + make_interval(days => v)
        FROM services s, generate_series(1, s.current_price_version) AS v`);
    await client.query(`
      INSERT INTO compliance_attestations (service_id, kind, certificate_reference, issued_on, expires_on, required)
      SELECT s.id, kind, format('%s-%s', upper(kind::text), left(s.id::text, 8)),
             current_date - 200, current_date + (s.current_price_version * 90 - 100), true
        FROM services s
        JOIN LATERAL (VALUES ('psn_compliance'::compliance_kind), ('cyber_essentials')) AS k(kind)
          ON kind = 'psn_compliance' OR s.current_price_version = 2
       WHERE s.category IN ('disaster_recovery', 'psn_compliance', 'network_and_connectivity',
                            'hosting_and_data_centre', 'cyber_security', 'data_and_gis')`);
    // About one in eight fellow members subscribes to each live service, at its current price.
    await client.query(`
      INSERT INTO subscriptions (consortium_id, service_id, consumer_organisation_id, provider_organisation_id,
                                 price_version_id, quantity, start_date, term_months, notice_period_months,
                                 currency, status)
      SELECT s.consortium_id, s.id, m.organisation_id, s.provider_organisation_id, pv.id, 1 + m.rank % 5,
             current_date - 400, 12, 3, 'GBP', 'active'
        FROM services s
        JOIN price_versions pv ON pv.service_id = s.id AND pv.version = s.current_price_version
        JOIN seeded_members m ON m.consortium_id = s.consortium_id AND m.organisation_id <> s.provider_organisation_id
       WHERE s.status <> 'draft' AND (m.rank + hashtext(s.id::text)) % 8 = 0`);
    await client.query(`
      INSERT INTO billing_periods (consortium_id, key, cycle, start_date, end_date)
      SELECT c.id, format('%s-Q%s', 2023 + q / 4, 1 + q % 4), 'quarterly',
             (date '2023-01-01' + make_interval(months => 3 * q))::date,
             (date '2023-01-01' + make_interval(months => 3 * q + 3))::date - 1
        FROM consortia c, generate_series(0, ${SIZE.periods - 1}) AS q
       WHERE c.name LIKE 'Seeded Consortium %'`);
    // Every pair of members charges each other every quarter: an original, then a supplementary charge; the last
    // quarter's originals are still drafts, charges over six months old approved or (one in ten) disputed. They are
    // written as they end up, so the guards that make a charge walk its lifecycle one UPDATE at a time (and cost
    // most of the seed's time when it does) are off for this transaction only: they have their own specs.
    await client.query('BEGIN');
    await client.query('ALTER TABLE cross_charges DISABLE TRIGGER USER');
    await client.query(`
      INSERT INTO cross_charges (consortium_id, billing_period_id, provider_organisation_id, consumer_organisation_id,
                                 status, reference, currency, net_minor, vat_minor, gross_minor, issued_at,
                                 approved_at, created_at, updated_at)
      SELECT bp.consortium_id, bp.id, p.organisation_id, c.organisation_id, charge_status,
             format('%s-%s-%s-%s%s', right(p.consortium_name, 1), bp.key, p.rank, c.rank,
                    CASE WHEN supplement THEN '-S1' ELSE '' END),
             'GBP', amount, 0, amount, CASE WHEN charge_status <> 'draft' THEN at + interval '1 day' END,
             CASE WHEN charge_status = 'approved' THEN at + interval '7 days' END, at, at
        FROM billing_periods bp
        JOIN seeded_members p ON p.consortium_id = bp.consortium_id
        JOIN seeded_members c ON c.consortium_id = bp.consortium_id AND c.organisation_id <> p.organisation_id
        CROSS JOIN (VALUES (false), (true)) AS kinds(supplement)
        CROSS JOIN LATERAL (
          SELECT 10000 + abs(hashtext(bp.key || p.rank || c.rank)) % 5000000 AS amount,
                 bp.end_date + make_interval(days => CASE WHEN supplement THEN 40 ELSE 5 END,
                                             mins => p.rank * 40 + c.rank) AS at) AS facts
        CROSS JOIN LATERAL (
          SELECT (CASE WHEN bp.key = '${lastPeriodKey}' THEN 'draft'
                       WHEN at > now() - interval '180 days' THEN 'issued'
                       WHEN amount % 10 = 0 THEN 'disputed'
                       ELSE 'approved' END)::cross_charge_status AS charge_status) AS lifecycle
       WHERE NOT (supplement AND bp.key = '${lastPeriodKey}')`);
    await client.query('ALTER TABLE cross_charges ENABLE TRIGGER USER');
    await client.query('COMMIT');
    await client.query(`
      INSERT INTO notifications (organisation_id, consortium_id, kind, title, body, entity_type, entity_id,
                                 read_at, created_at)
      SELECT m.organisation_id, m.consortium_id, kind, 'Something needs your attention',
             'A fellow member did something that needs your organisation to act.', 'cross_charge',
             gen_random_uuid()::text, CASE WHEN n % 10 < 7 THEN now() - make_interval(mins => n * 20 - 60) END,
             now() - make_interval(mins => n * 20)
        FROM generate_series(1, ${SIZE.notifications}) AS n
        JOIN seeded_members m ON m.consortium_name = 'Seeded Consortium 1' AND m.rank = n % m.members
        CROSS JOIN LATERAL (SELECT (ARRAY['cross_charge.issued', 'subscription.requested', 'dispute.raised',
                                          'compliance.expiring'])[1 + n % 4] AS kind) AS k`);
    await client.query('ANALYZE');
  } finally {
    await client.end();
  }
}

interface Explained {
  statement: CapturedStatement;
  /** The plan for the statement's values. */
  plan: PlanNode;
  /**
   * For a named prepared statement, also the plan for any values, which PostgreSQL may settle on after a few
   * executions on a connection.
   */
  generic?: PlanNode;
}

/** A value as SQL text, for EXECUTE's arguments (which take no parameters). */
function literal(client: Client, value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'boolean' || typeof value === 'number') return String(value);
  if (value instanceof Date) return client.escapeLiteral(value.toISOString());
  if (Array.isArray(value)) {
    const items = value.map((item) => `"${String(item).replace(/["\\]/g, (c) => `\\${c}`)}"`);
    return client.escapeLiteral(`{${items.join(',')}}`);
  }
  return client.escapeLiteral(String(value));
}

type Caller = 'member' | 'consortiumAdmin';

interface ListCase {
  who: Caller;
  path: string;
  /** The table the list pages through. */
  table: string;
  stopsEarly: StopsEarly;
}

/**
 * The lists and how each page must be read. `PERIOD` is a recent quarter of the big consortium, `OLD` its second
 * (a newest-first walk of all its charges would pass every later quarter before reaching it).
 */
const CASES: ListCase[] = [
  // A member sees about two thirds of the catalogue (its consortia's published services): walking titles finds a
  // page after about 80, where a sort would first gather and order some 1,800.
  {
    who: 'member',
    path: '/api/v1/services',
    table: 'services',
    stopsEarly: { by: 'ordered index scan', index: 'ix_service_title' },
  },
  {
    who: 'consortiumAdmin',
    path: '/api/v1/services',
    table: 'services',
    stopsEarly: { by: 'ordered index scan', index: 'ix_service_title' },
  },
  // A category is one service in thirteen: still fewer rows walked in title order than gathered for a sort.
  {
    who: 'member',
    path: '/api/v1/services?category=cyber_security',
    table: 'services',
    stopsEarly: { by: 'ordered index scan', index: 'ix_service_title' },
  },
  // Relevance is computed per match, so no index holds that order: the full-text index narrows the catalogue to a
  // few dozen matches, which are then ranked.
  {
    who: 'member',
    path: '/api/v1/services?q=backup%20recovery',
    table: 'services',
    stopsEarly: { by: 'top-N sort' },
  },
  // Newest first. The administrator sees most of the charges: the first 51 off the index are nearly all theirs. A
  // member is a party to about one charge in thirty: about 1,500 entries walked, still cheaper than sorting ~2,000.
  {
    who: 'consortiumAdmin',
    path: '/api/v1/cross-charges',
    table: 'cross_charges',
    stopsEarly: { by: 'ordered index scan', index: 'ix_cross_charge_created' },
  },
  {
    who: 'member',
    path: '/api/v1/cross-charges',
    table: 'cross_charges',
    stopsEarly: { by: 'ordered index scan', index: 'ix_cross_charge_created' },
  },
  // One period, newest first: the index starts in that period however old it is.
  {
    who: 'consortiumAdmin',
    path: '/api/v1/cross-charges?billingPeriodId=PERIOD',
    table: 'cross_charges',
    stopsEarly: { by: 'ordered index scan', index: 'ix_cross_charge_period_created' },
  },
  {
    who: 'consortiumAdmin',
    path: '/api/v1/cross-charges?billingPeriodId=OLD',
    table: 'cross_charges',
    stopsEarly: { by: 'ordered index scan', index: 'ix_cross_charge_period_created' },
  },
  // A member's own charges in one period are a hundred or so (its pairs' indexes find them), a handful when only
  // those charged to it: sorting them is cheapest.
  {
    who: 'member',
    path: '/api/v1/cross-charges?billingPeriodId=OLD',
    table: 'cross_charges',
    stopsEarly: { by: 'top-N sort' },
  },
  {
    who: 'member',
    path: '/api/v1/cross-charges?billingPeriodId=PERIOD&direction=to_us',
    table: 'cross_charges',
    stopsEarly: { by: 'top-N sort' },
  },
  // An organisation's notifications, newest first, straight off its index (ties on the instant sorted as they come).
  {
    who: 'member',
    path: '/api/v1/notifications',
    table: 'notifications',
    stopsEarly: { by: 'ordered index scan', index: 'ix_notification_organisation' },
  },
];

describe('the hot lists on a database of a big consortium’s size', () => {
  let db: SpecDatabase;
  let test: TestApp;
  let explainer: Client;
  const bearer = {} as Record<Caller, Record<string, string>>;
  const periods = { PERIOD: '', OLD: '' };
  const tableRows = new Map<string, number>();

  beforeAll(async () => {
    db = await aSpecDatabase('plans');
    await seed(db.ownerUrl);
    test = await createTestApp({}, db.url);
    const ds = test.dataSource;
    const consortium = await ds.getRepository(Consortium).findOneByOrFail({ name: 'Seeded Consortium 1' });
    const organisation = (name: string) => ds.getRepository(Organisation).findOneByOrFail({ name });
    const admin = await aUser(ds, await organisation('Seeded Council 02'), ['org_admin']);
    await makeConsortiumAdmin(ds, consortium, admin);
    bearer.consortiumAdmin = await bearerFor(test, admin);
    bearer.member = await bearerFor(
      test,
      await aUser(ds, await organisation('Seeded Council 01'), ['finance', 'service_manager']),
    );
    const periodOf = async (key: string) =>
      (
        await ds.query<{ id: string }[]>(
          'SELECT id FROM billing_periods WHERE consortium_id = $1 AND key = $2',
          [consortium.id, key],
        )
      )[0].id;
    periods.PERIOD = await periodOf('2025-Q2');
    periods.OLD = await periodOf('2023-Q2');
    explainer = new Client({ connectionString: db.url });
    await explainer.connect();
    for (const table of BIG_TABLES) {
      const { rows } = await explainer.query<{ count: number }>(
        `SELECT count(*)::int AS count FROM ${table}`,
      );
      tableRows.set(table, rows[0].count);
    }
  }, 120_000);
  afterAll(async () => {
    await explainer?.end();
    await test?.close();
    await db?.drop();
  });

  /** The request's reads (SELECT, or WITH, which the sign-in's look-up is), each with its plan for its values. */
  async function explainedReadsOf(who: Caller, path: string): Promise<Explained[]> {
    const statements = await captureStatements(test.app.getHttpServer() as Server, async () => {
      await test.http().get(path).set(bearer[who]).expect(200);
    });
    const explained: Explained[] = [];
    for (const statement of statements.filter((s) => /^\s*(SELECT|WITH)\b/i.test(s.text))) {
      // EXPLAIN without ANALYZE runs nothing, so even the rate limit's counting CTE is only planned.
      const { rows } = await explainer.query<{ 'QUERY PLAN': { Plan: PlanNode }[] }>(
        `EXPLAIN (FORMAT JSON) ${statement.text}`,
        statement.values,
      );
      explained.push({ statement, plan: rows[0]['QUERY PLAN'][0].Plan });
      if (statement.name) explained[explained.length - 1].generic = await genericPlanOf(statement);
    }
    return explained;
  }

  async function genericPlanOf(statement: CapturedStatement): Promise<PlanNode> {
    await explainer.query(`PREPARE generic_plan AS ${statement.text}`);
    try {
      await explainer.query('SET plan_cache_mode = force_generic_plan');
      const values = (statement.values ?? []).map((value) => literal(explainer, value));
      const { rows } = await explainer.query<{ 'QUERY PLAN': { Plan: PlanNode }[] }>(
        `EXPLAIN (FORMAT JSON) EXECUTE generic_plan(${values.join(', ')})`,
      );
      return rows[0]['QUERY PLAN'][0].Plan;
    } finally {
      await explainer.query('RESET plan_cache_mode');
      await explainer.query('DEALLOCATE generic_plan');
    }
  }

  it('is seeded at a big consortium’s size (thousands of rows)', () => {
    const thousands = (table: string) => Math.round((tableRows.get(table) ?? 0) / 1000);
    expect({
      services: thousands('services'),
      crossCharges: thousands('cross_charges'),
      notifications: thousands('notifications'),
    }).toEqual({ services: 3, crossCharges: 58, notifications: 50 });
  });

  describe.each(CASES)('$who GET $path', ({ who, path, table, stopsEarly }) => {
    let reads: Explained[];
    beforeAll(async () => {
      reads = await explainedReadsOf(
        who,
        path.replace(/PERIOD|OLD/, (key) => periods[key as keyof typeof periods]),
      );
    });

    /** Each read's plans: for its values, and for any values when it is a named prepared statement. */
    const plansOf = (read: Explained) => [
      { kind: 'for its values', plan: read.plan },
      ...(read.generic ? [{ kind: 'generic (any values)', plan: read.generic }] : []),
    ];

    it('reads no big table whole (no Seq Scan on it in any statement)', () => {
      const wholeReads = reads.flatMap((read) =>
        plansOf(read).flatMap(({ kind, plan }) =>
          [...nodesOf(plan)]
            .filter(
              (node) => node['Node Type'] === 'Seq Scan' && BIG_TABLES.includes(node['Relation Name'] ?? ''),
            )
            .map(
              (node) =>
                `${node['Relation Name']} read whole, plan ${kind} of: ${read.statement.text.slice(0, 120)}…\n${outline(plan)}`,
            ),
        ),
      );
      expect(wholeReads).toEqual([]);
    });

    const how =
      stopsEarly.by === 'top-N sort'
        ? 'a top-N sort of an index-narrowed set'
        : `read in order off ${stopsEarly.index}`;
    it(`stops after the page: ${how}`, () => {
      const pages = reads.filter(
        ({ plan }) =>
          plan['Node Type'] === 'Limit' && [...nodesOf(plan)].some((node) => node['Relation Name'] === table),
      );
      expect(pages).toHaveLength(1);
      const problems = plansOf(pages[0]).flatMap(({ kind, plan }) => {
        const problem = earlyStopProblem(plan, table, stopsEarly, tableRows.get(table) ?? 0);
        return problem ? [`plan ${kind}: ${problem}`] : [];
      });
      expect(problems).toEqual([]);
    });
  });
});
