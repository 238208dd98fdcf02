import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ukToday } from '../src/modules/catalogue/compliance-status';
import type { Organisation } from '../src/modules/organisations/organisation.entity';
import {
  aBillingPeriod,
  aConsortiumWithMembers,
  aDraftCrossCharge,
  aMembership,
  anApiKey,
  anOrganisation,
  aPostedCharge,
  aService,
  aSubscriptionTo,
  auditEventsFor,
  aUser,
  bearerFor,
  unique,
} from './support/builders';
import { createTestApp, TestApp } from './support/test-app';

type Auth = Record<string, string>;
const NOT_FOUND = { type: 'urn:consortium:problem:not-found', status: 404 };
const FORBIDDEN = { type: 'urn:consortium:problem:forbidden', status: 403 };
const INVALID = { type: 'urn:consortium:problem:validation-error', status: 400 };

/** RFC 4180 rows of a CSV document (quoted cells may hold commas, quotes and line breaks). */
function parseCsv(text: string): Record<string, string>[] {
  const rows: string[][] = [[]];
  let cell = '';
  let quoted = false;
  const body = text.replace(/^\uFEFF/, '');
  const endCell = () => {
    rows[rows.length - 1].push(cell);
    cell = '';
  };
  for (let i = 0; i < body.length; i++) {
    const char = body[i];
    if (quoted && char === '"' && body[i + 1] === '"') {
      cell += '"';
      i++;
    } else if (char === '"') {
      quoted = !quoted;
    } else if (quoted) {
      cell += char;
    } else if (char === ',') {
      endCell();
    } else if (char === '\r' && body[i + 1] === '\n') {
      endCell();
      rows.push([]);
      i++;
    } else {
      cell += char;
    }
  }
  const [header, ...data] = rows.filter((row) => row.length > 1);
  return data.map((row) => Object.fromEntries(header.map((name, i) => [name, row[i]])));
}

describe('finance-system export', () => {
  let test: TestApp;
  let ds: DataSource;
  let world: Awaited<ReturnType<typeof aConsortiumWithMembers>>;
  let home: Organisation;
  let other: Organisation;
  let formulaMember: Organisation;
  let period: { id: string; key: string };
  let finance: Auth;
  let chargeToOther: { reference: string };
  let chargeFromOther: { reference: string };

  const exportCsv = (auth: Auth, periodId = period.id, query = '') =>
    test.http().get(`/api/v1/billing-periods/${periodId}/finance-export${query}`).set(auth);
  const putCodes = (auth: Auth, mappings: object[], organisationId = home.id) =>
    test.http().put(`/api/v1/organisations/${organisationId}/ledger-codes`).set(auth).send({ mappings });
  const getCodes = (auth: Auth, organisationId = home.id) =>
    test.http().get(`/api/v1/organisations/${organisationId}/ledger-codes`).set(auth);

  const CODES = () => [
    { match: 'account_kind', value: 'receivable', costCentre: 'DEBTORS', ledgerCode: '1100' },
    { match: 'account_kind', value: 'payable', costCentre: 'CREDITORS', ledgerCode: '2100' },
    { match: 'service_category', value: 'service_desk', costCentre: 'ICT01', ledgerCode: '4410' },
    { match: 'counterparty', value: other.id, costCentre: 'ICT02', ledgerCode: '5520' },
  ];

  /** Issues a draft charge of the provider's service in `category` to the consumer, through the API. */
  async function anIssuedCharge(
    provider: Organisation,
    consumer: Organisation,
    netMinor: number,
    category: string,
  ) {
    const service = await aService(ds, world.consortium, provider, { category: category as never });
    const subscriptionId = await aSubscriptionTo(ds, service, consumer);
    const charge = await aDraftCrossCharge(ds, {
      consortium: world.consortium,
      periodId: period.id,
      provider,
      consumer,
      lines: [{ netMinor, subscriptionId }],
    });
    const providerFinance = provider.id === home.id ? world.homeUsers.finance : world.otherUsers.finance;
    await test
      .http()
      .post(`/api/v1/cross-charges/${charge.id}/issue`)
      .set(await bearerFor(test, providerFinance))
      .expect(200);
    return charge;
  }

  beforeAll(async () => {
    test = await createTestApp();
    ds = test.dataSource;
    world = await aConsortiumWithMembers(ds);
    ({ home, other } = world);
    formulaMember = await anOrganisation(ds, {
      name: `=HYPERLINK("http://evil.example") ${unique('Trust')}`,
    });
    await aMembership(ds, world.consortium, formulaMember);
    period = await aBillingPeriod(test, world.consortium, ukToday());
    finance = await bearerFor(test, world.homeUsers.finance);

    chargeToOther = await anIssuedCharge(home, other, 125_000, 'service_desk');
    chargeFromOther = await anIssuedCharge(other, home, 50_000, 'hosting_and_data_centre');
    // Between two other members: never in home's export.
    await aPostedCharge(test, {
      consortiumId: world.consortium.id,
      billingPeriodId: period.id,
      providerId: other.id,
      consumerId: formulaMember.id,
      amountMinor: 7_000,
    });
    // From a member whose name looks like a spreadsheet formula, with no category: the catch-all rows.
    await aPostedCharge(test, {
      consortiumId: world.consortium.id,
      billingPeriodId: period.id,
      providerId: formulaMember.id,
      consumerId: home.id,
      amountMinor: 3_000,
    });
    await putCodes(finance, CODES()).expect(200);
  });
  afterAll(() => test.close());

  const rowFor = (rows: Record<string, string>[], reference: string) =>
    rows.find((row) => row['Description'].includes(reference));

  describe('the CSV', () => {
    let response: Awaited<ReturnType<typeof exportCsv>>;
    let rows: Record<string, string>[];
    beforeAll(async () => {
      response = await exportCsv(finance, period.id, '?format=csv').expect(200);
      rows = parseCsv(response.text);
    });

    it('is a CSV attachment with a header row and one row per posting of the organisation in the period', () => {
      expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(response.headers['content-disposition']).toMatch(
        new RegExp(`^attachment; filename="finance-export-[a-z0-9-]+-${period.key}\\.csv"$`),
      );
      expect(response.text.split('\r\n')[0]).toBe(
        '\uFEFFDate,Period,Journal entry,Posting,Entry kind,Description,Counterparty,Service category,' +
          'Marketplace account,Debit cost centre,Debit ledger code,Debit coded by,Credit cost centre,' +
          'Credit ledger code,Credit coded by,Amount (pence),Amount (GBP),Currency',
      );
      expect(rows).toHaveLength(3);
      expect(rows.every((row) => row['Date'] === ukToday() && row['Period'] === period.key)).toBe(true);
    });

    it('codes money owed to the member: debit its receivable code, credit the income code of the service category', () => {
      expect(rowFor(rows, chargeToOther.reference)).toMatchObject({
        'Entry kind': 'charge',
        Counterparty: other.name,
        'Service category': 'service_desk',
        'Marketplace account': 'receivable',
        'Debit cost centre': 'DEBTORS',
        'Debit ledger code': '1100',
        'Debit coded by': 'account_kind',
        'Credit cost centre': 'ICT01',
        'Credit ledger code': '4410',
        'Credit coded by': 'service_category',
        'Amount (pence)': '125000',
        'Amount (GBP)': '1250.00',
        Currency: 'GBP',
      });
    });

    it('codes money the member owes: debit the expenditure code of the counterparty, credit its payable code', () => {
      expect(rowFor(rows, chargeFromOther.reference)).toMatchObject({
        'Service category': 'hosting_and_data_centre',
        'Marketplace account': 'payable',
        'Debit cost centre': 'ICT02',
        'Debit ledger code': '5520',
        'Debit coded by': 'counterparty',
        'Credit cost centre': 'CREDITORS',
        'Credit ledger code': '2100',
        'Credit coded by': 'account_kind',
        'Amount (pence)': '50000',
        'Amount (GBP)': '500.00',
      });
    });

    it('flags a side no rule codes as UNMAPPED, and defuses cells that a spreadsheet would run as a formula', () => {
      const row = rows.find((r) => r['Counterparty'].includes('HYPERLINK'));
      expect(row).toMatchObject({
        Counterparty: `'${formulaMember.name}`,
        'Debit cost centre': '',
        'Debit ledger code': '',
        'Debit coded by': 'UNMAPPED',
        'Credit coded by': 'account_kind',
        'Amount (pence)': '3000',
      });
    });

    it('balances: every row debits and credits one amount, and the control side adds up to the ledger balance', async () => {
      const [{ balance }] = await ds.query(
        `SELECT sum(p.amount_minor)::text AS balance FROM postings p JOIN ledger_accounts a ON a.id = p.account_id
          WHERE a.organisation_id = $1 AND p.billing_period_id = $2`,
        [home.id, period.id],
      );
      const controlSide = rows.reduce((sum, row) => {
        const amount = BigInt(row['Amount (pence)']);
        return row['Debit coded by'] === 'account_kind' ? sum + amount : sum - amount;
      }, 0n);
      expect(controlSide.toString()).toBe(balance);
      expect(rows.every((row) => BigInt(row['Amount (pence)']) > 0n)).toBe(true);
    });

    it("never shows another organisation's postings", async () => {
      expect(rows.map((row) => row['Counterparty'])).not.toContain(formulaMember.name);
      const otherRows = parseCsv(
        (await exportCsv(await bearerFor(test, world.otherUsers.finance)).expect(200)).text,
      );
      expect(otherRows).toHaveLength(3);
      expect(
        otherRows.every(
          (row) => row['Debit coded by'] === 'UNMAPPED' || row['Credit coded by'] === 'UNMAPPED',
        ),
      ).toBe(true);
      const postingIds = new Set(rows.map((row) => row['Posting']));
      expect(otherRows.some((row) => postingIds.has(row['Posting']))).toBe(false);
    });
  });

  it('codes what no other rule matches with the default rule', async () => {
    await putCodes(finance, [...CODES(), { match: 'default', costCentre: 'GEN', ledgerCode: '9999' }]).expect(
      200,
    );
    const rows = parseCsv((await exportCsv(finance).expect(200)).text);
    expect(rows.find((r) => r['Counterparty'].includes('HYPERLINK'))).toMatchObject({
      'Debit cost centre': 'GEN',
      'Debit ledger code': '9999',
      'Debit coded by': 'default',
    });
    await putCodes(finance, CODES()).expect(200);
  });

  it("codes a settlement payment's other side by the entry kind, e.g. to the bank account", async () => {
    const closedPeriod = await aBillingPeriod(test, world.consortium, '2026-03-10');
    await aPostedCharge(test, {
      consortiumId: world.consortium.id,
      billingPeriodId: closedPeriod.id,
      providerId: home.id,
      consumerId: other.id,
      amountMinor: 20_000,
    });
    const closed = await test
      .http()
      .post(`/api/v1/billing-periods/${closedPeriod.id}/close`)
      .set(await bearerFor(test, world.consortiumAdmin))
      .send({})
      .expect(200);
    await test
      .http()
      .post(`/api/v1/settlement-payments/${closed.body.payments[0].id}/record`)
      .set(await bearerFor(test, world.otherUsers.finance))
      .send({ paymentReference: 'BACS-2026-03' })
      .expect(200);
    await putCodes(finance, [
      ...CODES(),
      { match: 'entry_kind', value: 'settlement', costCentre: 'BANK', ledgerCode: '1000' },
    ]).expect(200);

    const rows = parseCsv((await exportCsv(finance, closedPeriod.id).expect(200)).text);

    expect(rows.map((row) => row['Entry kind'])).toEqual(['charge', 'settlement']);
    expect(rows[1]).toMatchObject({
      'Marketplace account': 'receivable',
      'Debit cost centre': 'BANK',
      'Debit ledger code': '1000',
      'Debit coded by': 'entry_kind',
      'Credit cost centre': 'DEBTORS',
      'Credit coded by': 'account_kind',
      'Amount (pence)': '20000',
    });
    await putCodes(finance, CODES()).expect(200);
  });

  it('is open to an API key with exports:read and closed to one without', async () => {
    const withScope = await anApiKey(ds, home, ['exports:read']);
    const without = await anApiKey(ds, home, ['charges:read', 'ledger:read']);
    expect(parseCsv((await exportCsv(withScope.header).expect(200)).text)).toHaveLength(3);
    expect((await exportCsv(without.header).expect(403)).body).toMatchObject(FORBIDDEN);
  });

  it('is for the finance team and administrators: a viewer or service manager is refused', async () => {
    for (const user of [world.homeUsers.viewer, world.homeUsers.manager]) {
      expect((await exportCsv(await bearerFor(test, user)).expect(403)).body).toMatchObject(FORBIDDEN);
    }
    await exportCsv(await bearerFor(test, world.homeUsers.admin)).expect(200);
  });

  it("does not reveal a period of a consortium the caller's organisation is not a member of", async () => {
    const outsider = await aUser(ds, await anOrganisation(ds), ['finance']);
    expect((await exportCsv(await bearerFor(test, outsider)).expect(404)).body).toMatchObject(NOT_FOUND);
    expect((await exportCsv(finance, randomUUID()).expect(404)).body).toMatchObject(NOT_FOUND);
  });

  it('answers bad input with a problem', async () => {
    expect((await exportCsv(finance, period.id, '?format=xlsx').expect(400)).body).toMatchObject(INVALID);
    expect((await exportCsv(finance, 'not-a-uuid').expect(400)).body.status).toBe(400);
  });

  describe('ledger codes', () => {
    it('are read back as set, and replacing them is audited with what changed', async () => {
      const read = await getCodes(finance).expect(200);
      expect(read.body.mappings).toHaveLength(4);
      expect(read.body.mappings).toEqual(expect.arrayContaining(CODES()));

      const replaced = await putCodes(await bearerFor(test, world.homeUsers.admin), [
        ...CODES(),
        { match: 'service_category', value: 'procurement', costCentre: 'PROC 1', ledgerCode: '4420/A' },
      ]).expect(200);

      expect(replaced.body.mappings).toHaveLength(5);
      const events = (await auditEventsFor(ds, home.id)).filter(
        (event) => event.action === 'organisation.ledger_codes_replaced',
      );
      const last = events[events.length - 1].changes as { mappings: { from: unknown[]; to: unknown[] } };
      expect(last.mappings.from).toHaveLength(4);
      expect(last.mappings.to).toContainEqual({
        match: 'service_category',
        value: 'procurement',
        costCentre: 'PROC 1',
        ledgerCode: '4420/A',
      });
      await putCodes(finance, CODES()).expect(200);
    });

    it('of another organisation are not found, to read or to replace', async () => {
      expect((await getCodes(finance, other.id).expect(404)).body).toMatchObject(NOT_FOUND);
      expect((await putCodes(finance, CODES(), other.id).expect(404)).body).toMatchObject(NOT_FOUND);
    });

    it('may be replaced only by the finance team and administrators, never by an API key', async () => {
      expect(
        (await putCodes(await bearerFor(test, world.homeUsers.viewer), []).expect(403)).body,
      ).toMatchObject(FORBIDDEN);
      const key = await anApiKey(ds, home, ['exports:read']);
      await getCodes(key.header).expect(200);
      expect((await putCodes(key.header, []).expect(403)).body).toMatchObject(FORBIDDEN);
    });

    it.each([
      ['an unknown match', { match: 'cost_code', value: 'x' }, 'mappings.0.match'],
      ['an account kind that does not exist', { match: 'account_kind', value: 'cash' }, 'mappings.0.value'],
      ['a rule without its value', { match: 'service_category' }, 'mappings.0.value'],
      ['a default with a value', { match: 'default', value: 'everything' }, 'mappings.0.value'],
      [
        'a counterparty that is not an organisation',
        { match: 'counterparty', value: randomUUID() },
        'mappings.0.value',
      ],
      [
        'a code that starts a formula',
        { match: 'default', costCentre: '=SUM(A1:A9)' },
        'mappings.0.costCentre',
      ],
    ])('refuses %s and changes nothing', async (_case, mapping, field) => {
      const response = await putCodes(finance, [
        { costCentre: 'CC1', ledgerCode: '1000', ...mapping },
      ]).expect(400);

      expect(response.body).toMatchObject(INVALID);
      expect(response.body.errors.map((error: { field: string }) => error.field)).toContain(field);
      expect((await getCodes(finance).expect(200)).body.mappings).toHaveLength(4);
    });

    it('refuses two rules for the same thing', async () => {
      const response = await putCodes(finance, [...CODES(), CODES()[0]]).expect(400);
      expect(response.body.errors).toEqual([
        { field: 'mappings.4.value', message: 'There is already a rule for this account_kind' },
      ]);
    });
  });
});
