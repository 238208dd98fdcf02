import { DataSource } from 'typeorm';
import {
  aChargePeriod,
  aConsortium,
  aDraftCrossCharge,
  aMembership,
  anApiKey,
  anOrganisation,
  aUser,
  bearerFor,
  makeConsortiumAdmin,
  unique,
} from './support/builders';
import { createTestApp, TestApp } from './support/test-app';

type Auth = Record<string, string>;

/** Reads RFC 4180 CSV: quoted cells may hold commas, quotes and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += ch;
  }
  if (cell !== '' || row.length > 0) rows.push([...row, cell]);
  return rows;
}

describe('statements', () => {
  let test: TestApp;
  let ds: DataSource;
  beforeAll(async () => {
    test = await createTestApp();
    ds = test.dataSource;
  });
  afterAll(() => test.close());

  /**
   * Norfolk charges Kent £1,300.60 (a £1,000 line and £250.50 + £50.10 VAT), of which it credits the £1,000 line;
   * Kent charges Norfolk £400. Norfolk's net position with Kent: 1,300.60 − 1,000 − 400 = −£99.40, so Norfolk owes
   * Kent £99.40. A draft to a third member does not count.
   */
  async function aPeriodOfTrade() {
    const consortium = await aConsortium(ds);
    const norfolk = await anOrganisation(ds, { name: unique('Norfolk <County> & "Council"') });
    const kent = await anOrganisation(ds, { name: unique('Kent, County Council') });
    const suffolk = await anOrganisation(ds, { name: unique('Suffolk') });
    for (const org of [norfolk, kent, suffolk]) await aMembership(ds, consortium, org);
    const users = {
      norfolkFinance: await aUser(ds, norfolk, ['finance']),
      norfolkViewer: await aUser(ds, norfolk, ['viewer']),
      norfolkManager: await aUser(ds, norfolk, ['service_manager']),
      kentFinance: await aUser(ds, kent, ['finance']),
      suffolkFinance: await aUser(ds, suffolk, ['finance']),
      admin: await aUser(ds, suffolk, ['viewer']),
    };
    await makeConsortiumAdmin(ds, consortium, users.admin);
    const auth: Record<keyof typeof users, Auth> = {} as never;
    for (const [name, user] of Object.entries(users))
      auth[name as keyof typeof users] = await bearerFor(test, user);
    const period = await aChargePeriod(ds, consortium, '2026-11');
    const toKent = await aDraftCrossCharge(ds, {
      consortium,
      periodId: period.id,
      provider: norfolk,
      consumer: kent,
      lines: [
        { netMinor: 100_000, description: '=SUM(A1) Disaster recovery' },
        { netMinor: 25_050, vatMinor: 5_010, description: 'Backup storage, 250 GB' },
      ],
    });
    const toNorfolk = await aDraftCrossCharge(ds, {
      consortium,
      periodId: period.id,
      provider: kent,
      consumer: norfolk,
      lines: [{ netMinor: 40_000, description: 'PSN health check' }],
    });
    await aDraftCrossCharge(ds, {
      consortium,
      periodId: period.id,
      provider: norfolk,
      consumer: suffolk,
      lines: [{ netMinor: 77_777 }],
    });
    await test.http().post(`/api/v1/cross-charges/${toKent.id}/issue`).set(auth.norfolkFinance).expect(200);
    await test.http().post(`/api/v1/cross-charges/${toNorfolk.id}/issue`).set(auth.kentFinance).expect(200);
    const dispute = await test
      .http()
      .post(`/api/v1/cross-charges/${toKent.id}/lines/${toKent.lineIds[0]}/dispute`)
      .set(auth.kentFinance)
      .send({ reason: 'We never took <b>this</b>' })
      .expect(201);
    await test
      .http()
      .post(`/api/v1/disputes/${dispute.body.id}/accept`)
      .set(auth.norfolkFinance)
      .send({ reason: 'Agreed' })
      .expect(200);
    return { consortium, norfolk, kent, suffolk, period, toKent, toNorfolk, auth };
  }
  type Trade = Awaited<ReturnType<typeof aPeriodOfTrade>>;

  const statement = (trade: Trade, auth: Auth, query: Record<string, string> = {}) =>
    test
      .http()
      .get('/api/v1/statements')
      .set(auth)
      .query({ consortiumId: trade.consortium.id, billingPeriodId: trade.period.id, ...query });

  it('adds up: charges each way, credit notes and a net position that matches the ledger', async () => {
    const trade = await aPeriodOfTrade();
    const { body } = await statement(trade, trade.auth.norfolkFinance).expect(200);
    const gbp = (amountMinor: string) => ({ amountMinor, currency: 'GBP' });
    expect(body.counterparties).toEqual([
      {
        counterparty: { id: trade.kent.id, name: trade.kent.name },
        chargesFromUs: { net: gbp('125050'), vat: gbp('5010'), gross: gbp('130060') },
        chargesToUs: { net: gbp('40000'), vat: gbp('0'), gross: gbp('40000') },
        creditNotesFromUs: { net: gbp('100000'), vat: gbp('0'), gross: gbp('100000') },
        creditNotesToUs: { net: gbp('0'), vat: gbp('0'), gross: gbp('0') },
        netPosition: gbp('-9940'),
        summary: `${trade.norfolk.name} owes ${trade.kent.name} £99.40`,
      },
    ]);
    expect(body.totals.netPosition).toEqual(gbp('-9940'));
    expect(body.totals.summary).toBe(`${trade.norfolk.name} owes £99.40 for the period`);
    expect(body.charges.map((c: { reference: string }) => c.reference).sort()).toEqual(
      [trade.toKent.reference, trade.toNorfolk.reference].sort(),
    );
    const lineTotal = body.charges
      .flatMap((c: { lines: { gross: { amountMinor: string } }[] }) => c.lines)
      .reduce((sum: bigint, l: { gross: { amountMinor: string } }) => sum + BigInt(l.gross.amountMinor), 0n);
    expect(lineTotal).toBe(130_060n + 40_000n);
    const [{ total }] = await ds.query(
      `SELECT sum(b.balance_minor)::text AS total FROM account_balances b JOIN ledger_accounts a ON a.id = b.account_id
        WHERE a.organisation_id = $1 AND b.billing_period_id = $2`,
      [trade.norfolk.id, trade.period.id],
    );
    expect(total).toBe(body.totals.netPosition.amountMinor);
    const kentView = await statement(trade, trade.auth.kentFinance).expect(200);
    expect(kentView.body.totals.netPosition).toEqual(gbp('9940'));
    expect(kentView.body.counterparties[0].summary).toBe(
      `${trade.norfolk.name} owes ${trade.kent.name} £99.40`,
    );
  });

  it('includes the settlement payments that involve the member', async () => {
    const trade = await aPeriodOfTrade();
    // Closed as administrators close it (the database takes positions and payments only from a close), past the
    // draft to Suffolk: Norfolk's position is −£99.40, paid to Kent.
    await test
      .http()
      .post(`/api/v1/billing-periods/${trade.period.id}/close`)
      .set(trade.auth.admin)
      .send({ overrideReason: 'The draft to Suffolk is left out on purpose' })
      .expect(200);
    const { body } = await statement(trade, trade.auth.norfolkViewer).expect(200);
    expect(body.settlement).toEqual({
      position: { amountMinor: '-9940', currency: 'GBP' },
      payments: [
        expect.objectContaining({
          payer: { id: trade.norfolk.id, name: trade.norfolk.name },
          payee: { id: trade.kent.id, name: trade.kent.name },
          amount: { amountMinor: '9940', currency: 'GBP' },
          status: 'pending',
        }),
      ],
    });
  });

  it('exports CSV with a header and one row per charge line and credit note, in pounds', async () => {
    const trade = await aPeriodOfTrade();
    const response = await statement(trade, trade.auth.norfolkFinance, { format: 'csv' }).expect(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toMatch(
      /^attachment; filename="statement-norfolk-county-council-[a-z0-9-]+-2026-11\.csv"$/,
    );
    expect(response.text.startsWith('\uFEFF')).toBe(true);
    const [header, ...rows] = parseCsv(response.text.slice(1));
    expect(header.slice(0, 5)).toEqual(['Period', 'Member', 'Counterparty', 'Direction', 'Document']);
    const column = (name: string) => header.indexOf(name);
    expect(rows).toHaveLength(4);
    expect(rows.every((row) => row.length === header.length)).toBe(true);
    const view = rows.map((row) => [
      row[column('Counterparty')],
      row[column('Direction')],
      row[column('Document')],
      row[column('Description')],
      row[column('Net')],
      row[column('VAT')],
      row[column('Gross')],
    ]);
    expect(view).toEqual(
      expect.arrayContaining([
        [
          trade.kent.name,
          'Charged by us',
          'Charge line',
          "'=SUM(A1) Disaster recovery",
          '1000.00',
          '0.00',
          '1000.00',
        ],
        [
          trade.kent.name,
          'Charged by us',
          'Charge line',
          'Backup storage, 250 GB',
          '250.50',
          '50.10',
          '300.60',
        ],
        [trade.kent.name, 'Charged to us', 'Charge line', 'PSN health check', '400.00', '0.00', '400.00'],
        [trade.kent.name, 'Charged by us', 'Credit note', 'Agreed', '-1000.00', '0.00', '-1000.00'],
      ]),
    );
    expect(rows.every((row) => row[column('Member')] === trade.norfolk.name)).toBe(true);
  });

  it('renders a printable HTML page with the figures, UK formats and escaped names', async () => {
    const trade = await aPeriodOfTrade();
    const response = await statement(trade, trade.auth.norfolkFinance, { format: 'html' }).expect(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    const html = response.text;
    expect(html).toContain('@media print');
    expect(html).not.toContain('<script');
    expect(html).not.toContain('Norfolk <County>');
    const escapedNorfolk = trade.norfolk.name
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;');
    expect(html).toContain(`${escapedNorfolk} owes ${trade.kent.name} £99.40`);
    expect(html).toContain('£1,300.60');
    expect(html).toContain('£50.10');
    expect(html).toContain('November 2026 (1 Nov 2026 to 30 Nov 2026)');
  });

  it("shows a consortium admin any member's statement, and nobody else another member's", async () => {
    const trade = await aPeriodOfTrade();
    const asAdmin = await statement(trade, trade.auth.admin, { organisationId: trade.kent.id }).expect(200);
    expect(asAdmin.body.organisation.id).toBe(trade.kent.id);
    await statement(trade, trade.auth.suffolkFinance, { organisationId: trade.kent.id }).expect(404);
    await statement(trade, trade.auth.norfolkManager).expect(403);
    const outsider = await bearerFor(test, await aUser(ds, await anOrganisation(ds), ['finance']));
    await statement(trade, outsider).expect(404);
    const key = await anApiKey(ds, trade.norfolk, ['charges:read']);
    await statement(trade, key.header, { format: 'csv' }).expect(200);
    const wrongKey = await anApiKey(ds, trade.norfolk, ['catalogue:read']);
    await statement(trade, wrongKey.header).expect(403);
    await statement(trade, trade.auth.norfolkFinance, { format: 'pdf' }).expect(400);
  });
});
