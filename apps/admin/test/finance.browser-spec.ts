import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  DESKTOP,
  openPage,
  PHONE,
  screenshot,
  seriousAccessibilityViolations,
  signIn,
} from './support/browser';
import { launchChromium } from './support/chromium';
import { DEMO_PASSWORD, type DemoApp, startDemoApp } from './support/demo-app';

jest.setTimeout(60_000);

/**
 * The finance teams in the demo consortium's open quarter (apps/api/src/seed/demo-history.ts): every charge is
 * issued, Kent has approved one charge to it and disputed Delt's; Kent's PSN health checks charge to Norfolk is
 * issued and awaiting Norfolk's review.
 */
const NORFOLK_FINANCE = 'finance@norfolk.gov.uk';
const KENT_FINANCE = 'finance@kent.gov.uk';
const NORFOLK_VIEWER = 'viewer@norfolk.gov.uk';
const KENT_TO_NORFOLK = /^Kent County Council charges Norfolk County Council £[\d,]+\.\d{2}$/;
const REASON = 'Two of the health checks were cancelled by Kent and never rescheduled this quarter.';

describe('the finance teams’ screens in a browser', () => {
  let demo: DemoApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let pageErrors: string[];

  beforeAll(async () => {
    browser = await launchChromium();
    demo = await startDemoApp();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await demo?.close();
  });

  afterEach(async () => {
    await context?.close();
    // An uncaught error in the page fails the test that caused it, even when the screen looked right.
    expect(pageErrors).toEqual([]);
  });

  async function signInAs(email: string, viewport = DESKTOP) {
    await context?.close();
    ({ context, page, pageErrors } = await openPage(browser, viewport));
    await signIn(page, demo.baseUrl, email, DEMO_PASSWORD);
  }

  async function openChargesList() {
    await page.getByRole('menuitem', { name: 'Cross-charges' }).click();
    await page.getByRole('heading', { name: 'Cross-charges', level: 1 }).waitFor();
  }

  /** Norfolk's finance officer opens Kent's charge to Norfolk from the list; returns the charge page's URL. */
  async function openKentsChargeToNorfolk(): Promise<string> {
    await openChargesList();
    await page.getByText(KENT_TO_NORFOLK).click();
    await page.getByRole('heading', { level: 1, name: KENT_TO_NORFOLK }).waitFor();
    return page.url();
  }

  it('lists the charges to and from us in words for the open period, filters and sorts them, and opens one from the keyboard', async () => {
    await signInAs(NORFOLK_FINANCE);
    await openChargesList();

    const list = page.getByRole('main');
    await list.getByText(KENT_TO_NORFOLK).waitFor();
    await expect(list.getByText(/ charges Norfolk County Council £/).count()).resolves.toBeGreaterThan(1);
    await expect(list.getByText('Issued, awaiting approval').count()).resolves.toBeGreaterThan(0);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'finance-charges');

    await page.getByRole('combobox', { name: 'Direction' }).click();
    await page.getByRole('option', { name: 'Charges to us' }).click();
    await list
      .getByText(/^Norfolk County Council charges /)
      .first()
      .waitFor({ state: 'detached' });
    await page.getByRole('columnheader', { name: 'Gross (inc. VAT)' }).getByRole('button').click();
    await page.waitForURL(/grossMinor/);
    // Smallest first, once the sorted page has arrived.
    await page.waitForFunction(() => {
      const pence = Array.from(document.querySelectorAll('main a'))
        .map((link) => link.textContent ?? '')
        .filter((text) => / charges Norfolk County Council £/.test(text))
        .map((text) => Number(text.replace(/.*£/, '').replace(/[,.]/g, '')));
      return pence.length > 1 && pence.every((value, i) => i === 0 || pence[i - 1] <= value);
    });
    await expect(list.getByRole('link', { name: /^Norfolk County Council charges / }).count()).resolves.toBe(
      0,
    );

    // From the keyboard: each charge in the list is a link.
    await page.getByRole('link', { name: KENT_TO_NORFOLK }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: KENT_TO_NORFOLK }).waitFor();
    const lines = page.getByRole('table').first();
    await lines.getByText('PSN', { exact: false }).first().waitFor();
    await expect(page.getByRole('button', { name: 'Approve' }).count()).resolves.toBe(1);
    await expect(page.getByRole('button', { name: /^Dispute “/ }).count()).resolves.toBeGreaterThan(0);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'finance-charge');
  });

  it('lets the consumer dispute a line with a reason, and the provider accept it with a credit note both see', async () => {
    await signInAs(NORFOLK_FINANCE);
    const chargeUrl = await openKentsChargeToNorfolk();

    await page
      .getByRole('button', { name: /^Dispute “/ })
      .first()
      .click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Dispute the line' }).click();
    await dialog.getByText('Please give a reason of at least 3 characters.').waitFor();
    await dialog.getByRole('textbox', { name: /What is wrong with this line/ }).fill(REASON);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'finance-dispute-dialog');
    await dialog.getByRole('button', { name: 'Dispute the line' }).click();

    const dispute = page.getByTestId('dispute');
    await dispute.getByText(/Awaiting the provider/).waitFor();
    await expect(dispute.textContent()).resolves.toContain(REASON);
    await page.getByText('Disputed', { exact: true }).first().waitFor();
    // Raising a dispute changes what is owed: the screen sent it with an Idempotency-Key.
    const keyed = await demo.test.dataSource.query(
      `SELECT count(*)::int AS n FROM idempotency_records WHERE route LIKE 'POST /api/v1/cross-charges/%/dispute'`,
    );
    expect(keyed).toEqual([{ n: 1 }]);
    // The consumer may not decide its own dispute, and may not approve while it awaits a decision.
    await expect(page.getByRole('button', { name: 'Accept and credit' }).count()).resolves.toBe(0);
    await expect(page.getByRole('button', { name: 'Approve' }).count()).resolves.toBe(0);

    await signInAs(KENT_FINANCE);
    await page.goto(chargeUrl);
    await page.getByRole('heading', { level: 1, name: KENT_TO_NORFOLK }).waitFor();
    await page.getByTestId('dispute').getByText(REASON, { exact: false }).waitFor();
    await expect(page.getByRole('button', { name: 'Withdraw dispute' }).count()).resolves.toBe(0);
    await page.getByRole('button', { name: 'Accept and credit' }).click();
    const accept = page.getByRole('dialog');
    await accept.getByRole('textbox', { name: /Why you accept/ }).fill('Agreed: two visits did not happen');
    // A credit note moves money: the request carries an Idempotency-Key, so a retry cannot credit twice.
    const [acceptRequest] = await Promise.all([
      page.waitForRequest((request) => request.url().endsWith('/accept')),
      accept.getByRole('button', { name: 'Accept and credit' }).click(),
    ]);
    expect(acceptRequest.headers()['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/);

    await page.getByTestId('dispute').getByText('Accepted: credit note raised').waitFor();
    const kentCredit = page.getByText(/^Kent County Council credits Norfolk County Council £[\d,]+\.\d{2}$/);
    await kentCredit.waitFor();
    const credited = await kentCredit.textContent();

    await signInAs(NORFOLK_FINANCE);
    await page.goto(chargeUrl);
    await page.getByRole('heading', { level: 1, name: KENT_TO_NORFOLK }).waitFor();
    await expect(page.getByText(credited ?? '', { exact: true }).count()).resolves.toBe(1);
    await page.getByText('Agreed: two visits did not happen', { exact: false }).first().waitFor();

    // The credit is also in the list of credits to Norfolk, across periods, linked to the charge it corrects.
    await page.getByRole('menuitem', { name: 'Credit notes' }).click();
    await page.getByRole('heading', { name: 'Credit notes', level: 1 }).waitFor();
    await page.getByText(credited ?? '', { exact: true }).waitFor();
    // Its period by name, as the charges list names it, not by its key (2026-Q4).
    await page
      .getByRole('row')
      .filter({ hasText: credited ?? '' })
      .getByRole('cell', { name: /^Q[1-4] \d{4} \(\w+ to \w+\)$/ })
      .waitFor();
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'finance-credit-notes');
  });

  it('explains in words a step the charge no longer allows (409) and a charge that is not ours to see (404)', async () => {
    const ESSEX_TO_NORFOLK = /^Essex County Council charges Norfolk County Council £[\d,]+\.\d{2}$/;
    await signInAs(NORFOLK_FINANCE);
    await openChargesList();
    await page.getByText(ESSEX_TO_NORFOLK).click();
    await page.getByRole('heading', { level: 1, name: ESSEX_TO_NORFOLK }).waitFor();
    const chargeUrl = page.url();
    const chargeId = /cross-charges\/([^/]+)\/show/.exec(chargeUrl)?.[1];

    // A colleague approves it in another tab while this page still offers approval.
    const login = await demo.test
      .http()
      .post('/api/v1/auth/login')
      .send({ email: NORFOLK_FINANCE, password: DEMO_PASSWORD })
      .expect(200);
    await demo.test
      .http()
      .post(`/api/v1/cross-charges/${chargeId}/approve`)
      .set('Authorization', `Bearer ${login.body.accessToken as string}`)
      .expect(200);
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Approve' }).click();

    const refusal = page.getByRole('dialog').getByRole('alert');
    await expect(refusal.textContent()).resolves.toBe('Cannot approve a cross-charge that is approved.');

    await signInAs(KENT_FINANCE);
    await page.goto(chargeUrl);
    await expect(page.getByRole('main').getByRole('alert').textContent()).resolves.toBe(
      'Cross-charge was not found.',
    );
  });

  it('offers a viewer the charge to read but none of the finance team’s steps', async () => {
    await signInAs(NORFOLK_FINANCE);
    const chargeUrl = await openKentsChargeToNorfolk();

    await signInAs(NORFOLK_VIEWER);
    await expect(page.getByRole('menuitem', { name: 'Cross-charges' }).count()).resolves.toBe(0);
    await page.goto(chargeUrl);
    await page.getByRole('heading', { level: 1, name: KENT_TO_NORFOLK }).waitFor();
    await page.getByRole('heading', { name: 'Lines' }).waitFor();

    for (const step of [/^Approve$/, /^Dispute/, /^Accept/, /^Reject$/, /^Escalate$/, /^Post comment$/]) {
      await expect(page.getByRole('button', { name: step }).count()).resolves.toBe(0);
    }
  });

  it('shows the account’s position in words and downloads the statement as CSV', async () => {
    await signInAs(NORFOLK_FINANCE);
    await page.getByRole('menuitem', { name: 'Account and statement' }).click();

    await expect(page.getByTestId('net-position').textContent()).resolves.toMatch(
      /^Norfolk County Council (is owed|owes) £[\d,]+\.\d{2}$|^Norfolk County Council is square$/,
    );
    await page.getByTestId('statement-summary').waitFor();
    await page.getByRole('heading', { name: 'Ledger entries' }).waitFor();
    await page
      .getByText(/^We (are owed|owe) £[\d,]+\.\d{2} (more|less)$/)
      .first()
      .waitFor();
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'finance-account-statement');

    // The ledger entries filter by the other organisation: only those with Kent are left.
    const entries = page
      .locator('.MuiCard-root')
      .filter({ has: page.getByRole('heading', { name: 'Ledger entries' }) });
    await entries.getByRole('combobox', { name: 'With' }).click();
    await page.getByRole('option', { name: 'Kent County Council' }).click();
    const entryRows = entries.locator('tbody tr');
    await entryRows.filter({ hasNotText: 'Kent County Council' }).first().waitFor({ state: 'detached' });
    await entryRows.filter({ hasText: 'Kent County Council' }).first().waitFor();

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^statement-norfolk-county-council-\d{4}-Q[1-4]\.csv$/);
    const csv = readFileSync((await download.path()) as string, 'utf8');
    const rows = csv
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(rows[0]).toMatch(/^Period,/);
    expect(rows.some((row) => row.includes('Kent County Council') && row.includes('Charge line'))).toBe(true);

    const [printable] = await Promise.all([
      page.waitForEvent('popup'),
      page.getByRole('button', { name: 'Printable statement' }).click(),
    ]);
    await printable.waitForURL(/^blob:/);
    await printable.getByText('Norfolk County Council', { exact: false }).first().waitFor();
  });

  it('reports savings against the in-house baseline as a chart described in words, and a table', async () => {
    await signInAs(KENT_FINANCE);
    await page.getByRole('menuitem', { name: 'Savings' }).click();

    await expect(page.getByTestId('savings-to-date').textContent()).resolves.toMatch(
      /^Kent County Council (saved|paid) £[\d,]+\.\d{2}/,
    );
    const chart = page.getByRole('img', { name: /^Bar chart of the in-house baseline/ });
    await chart.waitFor();
    // Periods by name, in the chart's description and the table, not by their keys.
    await expect(chart.getAttribute('aria-label')).resolves.toMatch(
      /: Q[1-4] \d{4} \(\w+ to \w+\), baseline £/,
    );
    await page
      .getByRole('region', { name: 'Savings by period' })
      .getByRole('cell', { name: /^Q[1-4] \d{4} \(\w+ to \w+\)$/ })
      .first()
      .waitFor();
    await page.getByRole('heading', { name: 'By subscription' }).waitFor();
    await page.getByText('Delt Shared Services Ltd').first().waitFor();
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'finance-savings');
  });

  it('reads at phone width: the charges as sentences, and a charge with the dispute Kent raised', async () => {
    await signInAs(KENT_FINANCE, PHONE);
    await page.goto(`${demo.baseUrl}/#/cross-charges`);
    await page.getByRole('heading', { name: 'Cross-charges', level: 1 }).waitFor();

    const deltToKent = page.getByText(
      /^Delt Shared Services Ltd charges Kent County Council £[\d,]+\.\d{2}$/,
    );
    await deltToKent.waitFor();
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'finance-charges-phone');

    // No column headers to click on a phone: the list sorts from a select. Both ways, so at least one of them is
    // seen to change the order; each waits until the rows on screen are in that order.
    const inOrder = (descending: boolean) =>
      page.waitForFunction((descending) => {
        const amounts = Array.from(
          document.querySelectorAll('main li'),
          (item) => /£([\d,]+\.\d{2})/.exec(item.textContent ?? '')?.[1],
        )
          .filter((amount): amount is string => Boolean(amount))
          .map((amount) => Number(amount.replace(/,/g, '')));
        const distinct = new Set(amounts).size > 1;
        return (
          distinct &&
          amounts.every((a, i) => i === 0 || (descending ? amounts[i - 1] >= a : amounts[i - 1] <= a))
        );
      }, descending);
    const sortBy = page.getByRole('combobox', { name: 'Sort by' });
    await sortBy.selectOption({ label: 'Smallest amount first' });
    await inOrder(false);
    await sortBy.selectOption({ label: 'Largest amount first' });
    await inOrder(true);
    await expect(sortBy.inputValue()).resolves.not.toBe('');

    await deltToKent.click();
    await page.getByTestId('dispute').getByText('Awaiting the provider', { exact: false }).waitFor();
    // The period is named, not shown as its key.
    await page
      .getByRole('main')
      .getByText(/^Q[1-4] \d{4} \(\w+ to \w+\)$/)
      .first()
      .waitFor();
    await expect(page.getByRole('main').textContent()).resolves.not.toMatch(/Period \d{4}-/);
    // Wide tables scroll inside the page; the page itself never scrolls sideways.
    await expect(page.evaluate(() => document.documentElement.scrollWidth)).resolves.toBeLessThanOrEqual(
      PHONE.width,
    );
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'finance-charge-phone');
  });
});

/**
 * Supplementary charges and the reconciliation on the finance teams' screens, on a consortium of its own:
 * Lincolnshire reports storage after its charge to Suffolk was issued, a charge run puts it on a supplementary
 * draft, and Lincolnshire's finance officer reviews and issues it (once a run working on the period lets it).
 */
describe('supplementary charges and the reconciliation on the finance teams’ screens', () => {
  const LINCOLNSHIRE_FINANCE = 'finance@lincolnshire.gov.uk';
  const SUFFOLK_FINANCE = 'finance@suffolk.gov.uk';
  const LINCOLNSHIRE_TO_SUFFOLK =
    /^Lincolnshire County Council charges Suffolk County Council £[\d,]+\.\d{2}$/;
  let demo: DemoApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let pageErrors: string[];
  let supplementUrl: string;

  beforeAll(async () => {
    browser = await launchChromium();
    demo = await startDemoApp();
    const token = async (email: string) =>
      (await demo.test.http().post('/api/v1/auth/login').send({ email, password: DEMO_PASSWORD }).expect(200))
        .body.accessToken as string;
    const [subscription] = await demo.test.dataSource.query(
      `SELECT s.id FROM subscriptions s JOIN services sv ON sv.id = s.service_id
         JOIN organisations o ON o.id = s.consumer_organisation_id
        WHERE sv.title = 'Offsite backup storage' AND o.name = 'Suffolk County Council'`,
    );
    const reported = await demo.test
      .http()
      .post('/api/v1/usage-events')
      .set('Authorization', `Bearer ${await token('cio@lincolnshire.gov.uk')}`)
      .send({
        events: [
          {
            eventId: 'late-storage-report-1',
            subscriptionId: subscription.id,
            metric: 'storage_gb',
            quantity: '500',
            occurredAt: new Date(Date.now() - 60_000).toISOString(),
          },
        ],
      })
      .expect(200);
    expect(reported.body.results[0].status).toBe('accepted');
    // The consortium administrator runs charges; the run drafts the late usage on a supplementary charge.
    const admin = { Authorization: `Bearer ${await token('consortium.admin@norfolk.gov.uk')}` };
    const [period] = await demo.test.dataSource.query(`SELECT id FROM billing_periods WHERE status = 'open'`);
    const run = await demo.test
      .http()
      .post(`/api/v1/billing-periods/${period.id}/charge-runs`)
      .set(admin)
      .expect(202);
    for (let status = run.body.status; status === 'queued' || status === 'running';) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      status = (await demo.test.http().get(`/api/v1/charge-runs/${run.body.id}`).set(admin)).body.status;
    }
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await demo?.close();
  });

  afterEach(async () => {
    await context?.close();
    expect(pageErrors).toEqual([]);
  });

  async function signInAs(email: string, viewport = DESKTOP) {
    await context?.close();
    ({ context, page, pageErrors } = await openPage(browser, viewport));
    await signIn(page, demo.baseUrl, email, DEMO_PASSWORD);
  }

  it('reaches the period’s reconciliation from the provider’s charges, complete once the run has drafted the late usage', async () => {
    await signInAs(LINCOLNSHIRE_FINANCE);
    await page.getByRole('menuitem', { name: 'Cross-charges' }).click();
    await page.getByRole('heading', { name: 'Cross-charges', level: 1 }).waitFor();
    await page.getByRole('link', { name: /^See the reconciliation of Q\d 20\d\d/ }).click();

    await page.getByRole('heading', { level: 1, name: /^Reconciliation of Q\d 20\d\d/ }).waitFor();
    const summary = page.getByTestId('reconciliation-summary');
    await summary.getByText('Completely charged').waitFor();
    await page
      .getByText(/^Nothing differs: every day in force and every usage report accepted in /)
      .waitFor();
    await page.getByRole('button', { name: 'Every row' }).click();
    // Lincolnshire's own subscriptions only: it is the provider of every row.
    const rows = page.getByRole('row').filter({ has: page.getByRole('cell') });
    await rows.first().waitFor();
    const providers = await rows.locator('td:first-child').allTextContents();
    expect(new Set(providers)).toEqual(new Set(['Lincolnshire County Council']));
    const storage = rows.filter({ hasText: 'Offsite backup storage' });
    await storage
      .getByText(
        /^\d+ storage GB reports? accepted, each charged once \(charges ECIC-\d{4}-Q\d-\d{4}, ECIC-\d{4}-Q\d-\d{4}-S1\)$/,
      )
      .waitFor();
    await expect(page.getByRole('link', { name: /^Run charges/ }).count()).resolves.toBe(0);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'finance-reconciliation');
  });

  it('reads the reconciliation on a phone without the page scrolling sideways', async () => {
    const [period] = await demo.test.dataSource.query(`SELECT id FROM billing_periods WHERE status = 'open'`);
    await signInAs(LINCOLNSHIRE_FINANCE, PHONE);
    await page.goto(`${demo.baseUrl}/#/billing-periods/${period.id}/reconciliation`);
    await page.getByTestId('reconciliation-summary').getByText('Completely charged').waitFor();
    await page.getByRole('button', { name: 'Every row' }).click();
    await page.getByRole('row').filter({ hasText: 'Offsite backup storage' }).waitFor();
    await expect(page.evaluate(() => document.documentElement.scrollWidth)).resolves.toBeLessThanOrEqual(
      PHONE.width,
    );
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'finance-reconciliation-phone');
  });

  it('labels the supplementary draft with its original and says in words what it holds', async () => {
    await signInAs(LINCOLNSHIRE_FINANCE);
    await page.getByRole('menuitem', { name: 'Cross-charges' }).click();
    const supplementRow = page.getByRole('row').filter({ hasText: /-S1/ });
    await supplementRow.getByText(/^Supplementary to ECIC-\d{4}-Q\d-\d{4}$/).waitFor();
    await expect(supplementRow.textContent()).resolves.toContain('Draft (not yet issued)');
    await screenshot(page, 'finance-charges-supplementary');

    await supplementRow.getByRole('link', { name: LINCOLNSHIRE_TO_SUFFOLK }).click();
    await page.getByRole('heading', { level: 1, name: LINCOLNSHIRE_TO_SUFFOLK }).waitFor();
    supplementUrl = page.url();
    const label = page.getByTestId('supplement-of');
    await label.getByText(/^Supplementary to ECIC-\d{4}-Q\d-\d{4}$/).waitFor();
    await expect(label.textContent()).resolves.toMatch(
      /It holds what was reported or changed after ECIC-\d{4}-Q\d-\d{4} was issued: 1 line, £[\d,]+\.\d{2} net\./,
    );
    await page
      .getByRole('region', { name: 'Charge lines' })
      .getByText(/^500 storage GB in 1 report reported after ECIC-\d{4}-Q\d-\d{4} was issued/)
      .waitFor();
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'finance-supplementary-charge');
  });

  it('says in words that issuing waits for a charge run working on the period, then issues once it has finished', async () => {
    const [period] = await demo.test.dataSource.query(
      `SELECT id, consortium_id FROM billing_periods WHERE status = 'open'`,
    );
    // A run another administrator has just started, still queued.
    const [running] = await demo.test.dataSource.query(
      `INSERT INTO charge_runs (consortium_id, billing_period_id, requested_by_label) VALUES ($1, $2, 'test')
       RETURNING id`,
      [period.consortium_id, period.id],
    );
    await signInAs(LINCOLNSHIRE_FINANCE);
    await page.goto(supplementUrl);
    await page.getByRole('heading', { level: 1, name: LINCOLNSHIRE_TO_SUFFOLK }).waitFor();
    await page.getByRole('button', { name: 'Issue' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Issue' }).click();

    await expect(dialog.getByRole('alert').textContent()).resolves.toMatch(
      /^A charge run is recomputing the drafts of Q\d 20\d\d .*: wait for it to finish, then issue the charge\.$/,
    );
    await dialog.getByText(/^Nothing has been changed\. Try again when the run has finished/).waitFor();
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'finance-issue-during-charge-run');

    await demo.test.dataSource.query(
      `UPDATE charge_runs SET status = 'completed', finished_at = now() WHERE id = $1`,
      [running.id],
    );
    await dialog.getByRole('button', { name: 'Issue' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByText('Issued, awaiting approval').first().waitFor();
  });

  it('shows on the original, to both finance teams, its supplementary charge and what it holds in words', async () => {
    for (const email of [LINCOLNSHIRE_FINANCE, SUFFOLK_FINANCE]) {
      await signInAs(email);
      await page.goto(supplementUrl);
      await page.getByTestId('supplement-of').getByRole('link').click();
      const supplements = page.getByRole('region', { name: 'Supplementary charges' });
      await supplements.getByRole('link', { name: /^ECIC-\d{4}-Q\d-\d{4}-S1$/ }).waitFor();
      await supplements
        .getByText(
          /^500 storage GB in 1 report reported after ECIC-\d{4}-Q\d-\d{4} was issued.*, charged on ECIC-\d{4}-Q\d-\d{4}-S1$/,
        )
        .waitFor();
      expect(await seriousAccessibilityViolations(page)).toEqual([]);
    }
    await screenshot(page, 'finance-original-with-supplement');
  });
});
