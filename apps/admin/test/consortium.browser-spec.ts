import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './support/chromium';
import { DEMO_PASSWORD, type DemoApp, startDemoApp } from './support/demo-app';
import { openPage, PHONE, screenshot, seriousAccessibilityViolations, signIn } from './support/browser';

jest.setTimeout(60_000);

const ADMIN = 'consortium.admin@norfolk.gov.uk';
const CONSORTIUM_ENTRIES = ['Members', 'Billing periods', 'Escalated disputes', 'Compliance register'];

/**
 * The consortium administrator's quarter end on the demo consortium, in the order it happens: each test takes the
 * consortium from where the previous one left it (request approved, charges run, dispute decided, period closed).
 */
describe('the consortium administrators’ screens', () => {
  let demo: DemoApp;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[];
  let close: () => Promise<void>;
  let openPeriodPath: string;

  beforeAll(async () => {
    browser = await launchChromium();
    demo = await startDemoApp();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await demo?.close();
  });

  async function openAs(email: string, viewport?: typeof PHONE) {
    const opened = await openPage(browser, viewport);
    page = opened.page;
    pageErrors = opened.pageErrors;
    close = () => opened.context.close();
    await signIn(page, demo.baseUrl, email, DEMO_PASSWORD);
  }

  afterEach(async () => {
    await close?.();
    // An uncaught error in the page fails the test that caused it, even when the screen looked right.
    expect(pageErrors).toEqual([]);
  });

  async function tokenFor(email: string): Promise<string> {
    const response = await demo.test
      .http()
      .post('/api/v1/auth/login')
      .send({ email, password: DEMO_PASSWORD })
      .expect(200);
    return response.body.accessToken as string;
  }

  const menuEntry = (name: string) => page.getByRole('menuitem', { name, exact: true });

  it('offers a member’s finance officer and CIO none of the consortium administrators’ entries', async () => {
    for (const email of ['finance@kent.gov.uk', 'cio@suffolk.gov.uk']) {
      await openAs(email);
      for (const entry of CONSORTIUM_ENTRIES) {
        await expect(menuEntry(entry).count()).resolves.toBe(0);
      }
      await close();
    }
  });

  it.each([
    ['finance@kent.gov.uk', 'consortium-members'],
    ['cio@suffolk.gov.uk', 'consortium-billing-periods'],
  ])(
    'shows %s the not-allowed page, not a missing one, at the administrators’ %s address',
    async (email, resource) => {
      await openAs(email);
      await page.goto(`${demo.baseUrl}/#/${resource}`);
      await page.getByRole('heading', { name: 'You are not allowed to see this' }).waitFor();
      await expect(page.getByRole('main').textContent()).resolves.toContain(
        'Only the consortium’s administrators see this screen.',
      );
    },
  );

  it('lets the consortium administrator approve Broadland’s request to join', async () => {
    await openAs(ADMIN);
    for (const entry of CONSORTIUM_ENTRIES) await menuEntry(entry).waitFor();
    await menuEntry('Members').click();

    const broadland = page.getByRole('row').filter({ hasText: 'Broadland Schools Academy Trust' });
    await broadland.getByText('Asked to join').waitFor();
    await expect(
      page.getByRole('row').filter({ hasText: 'Kent County Council' }).textContent(),
    ).resolves.toContain('County council');
    await page.getByRole('heading', { name: 'Consortium administrators' }).waitFor();
    await page.getByRole('cell', { name: ADMIN }).waitFor();
    await screenshot(page, 'consortium-members');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);

    await broadland.getByRole('button', { name: 'Approve Broadland Schools Academy Trust' }).click();
    const dialog = page.getByRole('dialog', { name: 'Approve Broadland Schools Academy Trust' });
    await dialog.getByRole('textbox', { name: 'Reason (optional)' }).fill('Agreed at the November board');
    await dialog.getByRole('button', { name: 'Approve' }).click();

    await broadland.getByText('Active member').waitFor();
    await expect(broadland.getByRole('button', { name: /^Suspend/ }).count()).resolves.toBe(1);
  });

  it('lists the certificates on the consortium’s services, soonest to expire first, filtered by standing and provider', async () => {
    await openAs(ADMIN);
    await menuEntry('Compliance register').click();
    const rows = page.getByRole('row').filter({ has: page.getByRole('cell') });
    await rows.first().waitFor();
    await expect(rows.count()).resolves.toBeGreaterThan(1);
    const expiries = (await rows.locator('td:nth-child(5)').allTextContents()).map((d) => Date.parse(d));
    expect(expiries.every((day) => !Number.isNaN(day))).toBe(true);
    expect(expiries).toEqual([...expiries].sort((x, y) => x - y));
    await screenshot(page, 'consortium-compliance');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);

    await page.getByRole('combobox', { name: 'Standing' }).click();
    await page.getByRole('option', { name: 'Valid' }).click();
    // The demo has expired certificates: the filtered page is the one without them.
    await rows.getByText('Expired', { exact: true }).first().waitFor({ state: 'detached' });
    const standings = await rows.getByText(/^(Valid|Expired|Expires within 30 days)$/).allTextContents();
    expect(new Set(standings)).toEqual(new Set(['Valid']));

    // And by provider: only Kent's services are left.
    await page.getByRole('combobox', { name: 'Provider' }).click();
    await page.getByRole('option', { name: 'Kent County Council' }).click();
    await rows.filter({ hasNotText: 'Kent County Council' }).first().waitFor({ state: 'detached' });
    await rows.filter({ hasText: 'Kent County Council' }).first().waitFor();
  });

  it('runs charges for the open quarter and follows the run to the end', async () => {
    await openAs(ADMIN);
    await menuEntry('Billing periods').click();
    const open = page.getByRole('row').filter({ has: page.getByText('Open', { exact: true }) });
    await open.waitFor();
    const settled = page.getByRole('row').filter({ has: page.getByText('Settled', { exact: true }) });
    await expect(settled.count()).resolves.toBe(2);
    await screenshot(page, 'consortium-periods');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);

    // By keyboard: the period's name is a link.
    await open.getByRole('link').focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Charge runs' }).waitFor();
    openPeriodPath = new URL(page.url()).hash;
    await page.getByRole('button', { name: 'Run charges' }).click();

    await page.getByRole('progressbar', { name: 'Charge run progress' }).waitFor();
    const progress = page.getByTestId('charge-run-progress-text');
    await progress.filter({ hasText: /^Completed: \d+ subscriptions charged/ }).waitFor({ timeout: 30_000 });
    // The button comes back once the refreshed list shows the run finished, a moment after the progress text.
    await page.getByRole('button', { name: 'Run charges', disabled: false }).waitFor();
    // The finished run refreshes the screen: scan it once that has settled.
    await page.waitForLoadState('networkidle');
    await screenshot(page, 'consortium-period-charge-run');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
  });

  it('refuses to close the quarter while Kent’s dispute is undecided, says so in words and offers to close anyway', async () => {
    await openAs(ADMIN);
    await page.goto(`${demo.baseUrl}/${openPeriodPath}`);
    await page.getByRole('button', { name: /^Close Q\d/ }).click();
    const dialog = page.getByRole('dialog', { name: /^Close .*\?$/ });
    await dialog.getByRole('button', { name: 'Close the period' }).click();

    const alert = dialog.getByRole('alert');
    await alert.waitFor();
    await expect(alert.textContent()).resolves.toMatch(
      /^Q\d 20\d\d .* cannot close yet: 1 dispute is still to be decided\.$/,
    );
    await dialog.getByRole('textbox', { name: 'Why close anyway' }).waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByText(/^Provisional:/).waitFor();
  });

  it('shows a dispute Kent escalated and lets the administrator dismiss it with a reason', async () => {
    // Kent's finance officer escalates its open dispute of Delt's charge (their screens are another feature's).
    const kent = { Authorization: `Bearer ${await tokenFor('finance@kent.gov.uk')}` };
    const disputed = await demo.test
      .http()
      .get('/api/v1/cross-charges?status=disputed')
      .set(kent)
      .expect(200);
    const charge = await demo.test.http().get(`/api/v1/cross-charges/${disputed.body.data[0].id}`).set(kent);
    const dispute = (charge.body.disputes as { id: string; status: string }[]).find(
      (d) => d.status === 'open',
    )!;
    await demo.test
      .http()
      .post(`/api/v1/disputes/${dispute.id}/escalate`)
      .set(kent)
      .send({ reason: 'Delt has not answered in three weeks' })
      .expect(200);

    await openAs(ADMIN);
    await menuEntry('Escalated disputes').click();
    const row = page
      .getByRole('row')
      .filter({ hasText: 'Kent County Council disputes Delt Shared Services Ltd' });
    await expect(row.textContent()).resolves.toContain('Desktop management per device');
    await screenshot(page, 'consortium-escalated-disputes');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);

    await row.click();
    await page.getByText('Delt has not answered in three weeks').waitFor();
    await page.getByRole('button', { name: 'Dismiss' }).click();
    const dialog = page.getByRole('dialog', { name: 'Dismiss the dispute' });
    await dialog.getByRole('button', { name: 'Dismiss' }).click();
    await dialog.getByText('Reason is needed.').waitFor();
    await dialog
      .getByRole('textbox', { name: 'Reason' })
      .fill('The devices were returned after the quarter began');
    await dialog.getByRole('button', { name: 'Dismiss' }).click();

    await page.getByText("No dispute is waiting for a consortium administrator's decision.").waitFor();
    const decided = await demo.test
      .http()
      .get(`/api/v1/cross-charges/${charge.body.id}`)
      .set(kent)
      .expect(200);
    expect(decided.body.disputes.find((d: { id: string }) => d.id === dispute.id).status).toBe('dismissed');

    // Opened again, the decided dispute says how it was decided in words, not by its status code.
    await page.goBack();
    await page
      .getByRole('alert')
      .filter({ hasText: 'Dismissed: the line stands. The devices were returned after the quarter began.' })
      .waitFor();
    await expect(page.getByRole('main').textContent()).resolves.not.toContain('dismissed.');
  });

  it('does not let the administrator decide a dispute Norfolk is party to, and says another administrator decides', async () => {
    // Norfolk's finance officer disputes a line of Kent's PSN charge and escalates it at once.
    const norfolk = { Authorization: `Bearer ${await tokenFor('finance@norfolk.gov.uk')}` };
    const issued = await demo.test.http().get('/api/v1/cross-charges?status=issued').set(norfolk).expect(200);
    const fromKent = (issued.body.data as { id: string; provider: { name: string } }[]).find(
      (c) => c.provider.name === 'Kent County Council',
    )!;
    const charge = await demo.test
      .http()
      .get(`/api/v1/cross-charges/${fromKent.id}`)
      .set(norfolk)
      .expect(200);
    const dispute = await demo.test
      .http()
      .post(`/api/v1/cross-charges/${fromKent.id}/lines/${charge.body.lines[0].id}/dispute`)
      .set(norfolk)
      .send({ reason: 'Two of the health checks were not carried out' })
      .expect(201);
    await demo.test
      .http()
      .post(`/api/v1/disputes/${dispute.body.id}/escalate`)
      .set(norfolk)
      .send({ reason: 'Kent has not answered' })
      .expect(200);

    await openAs(ADMIN);
    await menuEntry('Escalated disputes').click();
    const row = page
      .getByRole('row')
      .filter({ hasText: 'Norfolk County Council disputes Kent County Council' });
    await expect(row.textContent()).resolves.toContain(
      'Your organisation is a party: another administrator decides',
    );
    await row.click();
    await page
      .getByRole('alert')
      .filter({
        hasText:
          'Your organisation, Norfolk County Council, is the consumer of this charge, so you may not decide this ' +
          'dispute: that would be a conflict of interest. Another administrator of the consortium decides it.',
      })
      .waitFor();
    await expect(page.getByRole('button', { name: /^(Uphold|Dismiss)$/ }).count()).resolves.toBe(0);
    await screenshot(page, 'consortium-escalated-dispute-conflict-of-interest');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);

    // Another administrator of the consortium (Suffolk's, made one for the purpose) decides it, and steps down.
    const admin = { Authorization: `Bearer ${await tokenFor(ADMIN)}` };
    const suffolk = { Authorization: `Bearer ${await tokenFor('admin@suffolk.gov.uk')}` };
    const me = await demo.test.http().get('/api/v1/auth/me').set(suffolk).expect(200);
    const consortiumId = charge.body.consortiumId as string;
    await demo.test
      .http()
      .post(`/api/v1/consortia/${consortiumId}/admins`)
      .set(admin)
      .send({ userId: me.body.id })
      .expect(201);
    const asSuffolk = { Authorization: `Bearer ${await tokenFor('admin@suffolk.gov.uk')}` };
    await demo.test
      .http()
      .post(`/api/v1/disputes/${dispute.body.id}/dismiss`)
      .set(asSuffolk)
      .send({ reason: 'The checks were carried out in the following week' })
      .expect(200);
    await demo.test
      .http()
      .delete(`/api/v1/consortia/${consortiumId}/admins/${me.body.id}`)
      .set(admin)
      .expect(204);
  });

  it('closes the quarter after explaining what closing does, then shows who pays whom and records a payment', async () => {
    await openAs(ADMIN);
    await page.goto(`${demo.baseUrl}/${openPeriodPath}`);
    await page.getByRole('heading', { name: 'Settlement plan' }).waitFor();
    await page.getByText(/^Provisional:/).waitFor();

    await page.getByRole('button', { name: /^Close Q\d/ }).click();
    const dialog = page.getByRole('dialog', { name: /^Close .*\?$/ });
    await dialog
      .getByText('works out a settlement plan with the fewest payments between members', { exact: false })
      .waitFor();
    await dialog.getByRole('button', { name: 'Close the period' }).click();

    await page.getByText(/^Closed: these figures are fixed/).waitFor();
    const picture = page.getByTestId('settlement-picture');
    await picture.waitFor();
    await expect(picture.getAttribute('aria-label')).resolves.toMatch(
      /^Settlement plan: .+ pays .+ £[\d,]+\.\d\d/,
    );
    const plan = page.getByTestId('settlement-payments').getByRole('listitem');
    const payments = await plan.count();
    expect(payments).toBeGreaterThan(0);
    await expect(picture.locator('line').count()).resolves.toBe(payments);
    const positions = page.getByTestId('net-positions');
    await expect(positions.getByText(/ is owed £[\d,]+\.\d\d$/).count()).resolves.toBeGreaterThan(0);
    await expect(positions.getByText(/ owes £[\d,]+\.\d\d$/).count()).resolves.toBeGreaterThan(0);
    await screenshot(page, 'consortium-settlement-plan');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);

    const first = plan.first();
    const phrase = (await first.locator('span').first().textContent())!;
    await first.getByRole('button', { name: `Record payment: ${phrase}` }).click();
    const record = page.getByRole('dialog', { name: 'Record a settlement payment' });
    await record.getByRole('textbox', { name: 'Payment reference' }).fill('BACS-UI-0001');
    await record.getByRole('button', { name: 'Record payment' }).click();

    await first.getByText(/^Recorded .*, ref\. BACS-UI-0001$/).waitFor();
    const periodId = openPeriodPath.split('/')[2];
    const admin = { Authorization: `Bearer ${await tokenFor(ADMIN)}` };
    const settlement = await demo.test
      .http()
      .get(`/api/v1/billing-periods/${periodId}/settlement`)
      .set(admin);
    const recorded = settlement.body.payments.filter((p: { status: string }) => p.status === 'recorded');
    expect(recorded.map((p: { paymentReference: string }) => p.paymentReference)).toEqual(['BACS-UI-0001']);
  });

  it('reads the settlement plan on a phone without scrolling sideways', async () => {
    await openAs(ADMIN, PHONE);
    await page.goto(`${demo.baseUrl}/${openPeriodPath}`);
    await page.getByTestId('settlement-picture').waitFor();
    await page.getByTestId('net-positions').waitFor();

    await screenshot(page, 'consortium-settlement-plan-phone');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
  });

  it.each([
    ['consortium-members', 'Members', 'Norfolk County Council'],
    ['consortium-billing-periods', 'Billing periods', 'Settled'],
    ['consortium-compliance', 'Compliance register', 'ISO/IEC 27001'],
  ])('lists %s on a phone without the page scrolling sideways', async (resource, title, expected) => {
    await openAs(ADMIN, PHONE);
    await page.goto(`${demo.baseUrl}/#/${resource}`);
    await page.getByRole('main').getByText(expected).first().waitFor();
    await screenshot(page, `${resource}-phone`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect({ title, overflow: Math.max(overflow, 0) }).toEqual({ title, overflow: 0 });
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
  });
});

/**
 * Billing completeness on the administrator's screens, on a consortium of its own: the open quarter's reconciliation
 * in words, usage reported after Lincolnshire's charge to Suffolk was issued, a close refused for it with links to
 * follow, and the charge run that puts it on a supplementary charge.
 */
describe('the reconciliation of a billing period on the consortium administrators’ screens', () => {
  let demo: DemoApp;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[];
  let close: () => Promise<void>;
  let periodPath: string;

  beforeAll(async () => {
    browser = await launchChromium();
    demo = await startDemoApp();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await demo?.close();
  });

  async function openAs(email: string) {
    const opened = await openPage(browser);
    page = opened.page;
    pageErrors = opened.pageErrors;
    close = () => opened.context.close();
    await signIn(page, demo.baseUrl, email, DEMO_PASSWORD);
  }

  afterEach(async () => {
    await close?.();
    expect(pageErrors).toEqual([]);
  });

  const reconciliation = () => page.getByRole('region', { name: 'Reconciliation: is everything charged?' });
  const summary = () => page.getByTestId('reconciliation-summary');

  /** Lincolnshire's CIO reports 500 GB more of Suffolk's offsite backup, after the quarter's charges were issued. */
  async function reportLateStorage(): Promise<void> {
    const [subscription] = await demo.test.dataSource.query(
      `SELECT s.id FROM subscriptions s JOIN services sv ON sv.id = s.service_id
         JOIN organisations o ON o.id = s.consumer_organisation_id
        WHERE sv.title = 'Offsite backup storage' AND o.name = 'Suffolk County Council'`,
    );
    const login = await demo.test
      .http()
      .post('/api/v1/auth/login')
      .send({ email: 'cio@lincolnshire.gov.uk', password: DEMO_PASSWORD })
      .expect(200);
    const reported = await demo.test
      .http()
      .post('/api/v1/usage-events')
      .set('Authorization', `Bearer ${login.body.accessToken as string}`)
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
  }

  it('shows the open quarter completely charged, in words, every row on asking', async () => {
    await openAs(ADMIN);
    await page.getByRole('menuitem', { name: 'Billing periods', exact: true }).click();
    const open = page.getByRole('row').filter({ has: page.getByText('Open', { exact: true }) });
    await open.getByRole('link').click();
    await page.getByRole('heading', { name: 'Reconciliation: is everything charged?' }).waitFor();
    periodPath = new URL(page.url()).hash;

    await summary().getByText('Completely charged').waitFor();
    await expect(summary().textContent()).resolves.toMatch(
      /^Completely chargedQ\d 20\d\d .* is completely charged: every day in force and every accepted usage report is on exactly one charge\.$/,
    );
    await reconciliation()
      .getByText(/^Nothing differs: every day in force/)
      .waitFor();

    await reconciliation().getByRole('button', { name: 'Every row' }).click();
    const rows = reconciliation()
      .getByRole('row')
      .filter({ has: page.getByRole('cell') });
    await rows.first().waitFor();
    await expect(rows.filter({ hasText: 'Differs' }).count()).resolves.toBe(0);
    await rows
      .filter({ hasText: 'Offsite backup storage' })
      .getByText(/^[\d,]+ storage GB in \d+ reports?$/)
      .first()
      .waitFor();
    await reconciliation().scrollIntoViewIfNeeded();
    await screenshot(page, 'consortium-period-reconciliation-complete');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
  });

  it('says what usage reported after the charge was issued leaves unbilled, row by row', async () => {
    await reportLateStorage();
    await openAs(ADMIN);
    await page.goto(`${demo.baseUrl}/${periodPath}`);

    await summary().getByText('Not completely charged').waitFor();
    await expect(summary().textContent()).resolves.toContain(
      'is not completely charged: 1 difference, with 1 usage report not on any charge yet. Run charges to bring the drafts up to date.',
    );
    const row = reconciliation().getByRole('row').filter({ hasText: 'Offsite backup storage' });
    await expect(row.textContent()).resolves.toContain('Lincolnshire County Council');
    await row.getByText('Differs').waitFor();
    await row
      .getByText(/^[\d,]+ storage GB in \d+ reports?$/)
      .first()
      .waitFor();
    await row
      .getByText(
        /^1 storage GB report accepted but not on any charge yet \(charges ECIC-\d{4}-Q\d-\d{4}\): run charges to bill them$/,
      )
      .waitFor();
    await reconciliation().getByRole('button', { name: 'Go to Run charges' }).waitFor();
    await reconciliation().scrollIntoViewIfNeeded();
    await screenshot(page, 'consortium-period-reconciliation-unbilled');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
  });

  it('refuses to close for the unbilled usage, says so in words and links to the reconciliation, the charge runs and the disputes', async () => {
    await openAs(ADMIN);
    await page.goto(`${demo.baseUrl}/${periodPath}`);
    await page.getByRole('button', { name: /^Close Q\d/ }).click();
    const dialog = page.getByRole('dialog', { name: /^Close .*\?$/ });
    await dialog.getByRole('button', { name: 'Close the period' }).click();

    await expect(dialog.getByRole('alert').textContent()).resolves.toMatch(
      /^Q\d 20\d\d .* cannot close yet: 1 usage report is not on any charge yet and 1 dispute is still to be decided\.$/,
    );
    const refusal = dialog.getByTestId('close-refusal');
    await refusal
      .getByText(
        /^Lincolnshire County Council to Suffolk County Council, Offsite backup storage: 1 storage GB report accepted but not on any charge yet/,
      )
      .waitFor();
    const steps = refusal.getByRole('navigation', { name: 'What to do before closing' }).getByRole('link');
    await expect(steps.allTextContents()).resolves.toEqual([
      'See what is not charged yet, in the reconciliation',
      'Run charges, so that the drafts take it in',
      'See the disputed charges (1 dispute to decide)',
    ]);
    // Closing anyway stays, with a reason.
    await dialog.getByRole('textbox', { name: 'Why close anyway' }).waitFor();
    await screenshot(page, 'consortium-close-refused-unbilled');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);

    // The reconciliation opens on a page of its own, with the row that differs.
    await steps.filter({ hasText: 'in the reconciliation' }).click();
    await page.getByRole('heading', { level: 1, name: /^Reconciliation of Q\d 20\d\d/ }).waitFor();
    await page.getByTestId('reconciliation-summary').getByText('Not completely charged').waitFor();
    await page.getByRole('row').filter({ hasText: 'Offsite backup storage' }).getByText('Differs').waitFor();
    await page.getByRole('link', { name: 'Run charges on the period’s page' }).waitFor();
    await screenshot(page, 'reconciliation-page-unbilled');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);

    // The disputed charges, from the period's page again: the cross-charges of the period that are disputed.
    await page.goBack();
    await page.getByRole('button', { name: /^Close Q\d/ }).click();
    await dialog.getByRole('button', { name: 'Close the period' }).click();
    await steps.filter({ hasText: 'See the disputed charges' }).click();
    await page.getByRole('heading', { name: 'Cross-charges', level: 1 }).waitFor();
    await page.getByText(/^Delt Shared Services Ltd charges Kent County Council £[\d,]+\.\d\d$/).waitFor();
    await expect(page.getByRole('combobox', { name: 'Status' }).textContent()).resolves.toBe('Disputed');
  });

  it('takes the administrator from a refused close to Run charges, whose run puts the late usage on a supplementary draft', async () => {
    await openAs(ADMIN);
    await page.goto(`${demo.baseUrl}/${periodPath}`);
    await page.getByRole('button', { name: /^Close Q\d/ }).click();
    const dialog = page.getByRole('dialog', { name: /^Close .*\?$/ });
    await dialog.getByRole('button', { name: 'Close the period' }).click();
    await dialog.getByRole('link', { name: 'Run charges, so that the drafts take it in' }).click();
    await dialog.waitFor({ state: 'detached' });
    // The keyboard is on Run charges.
    await page.waitForFunction(() => document.activeElement?.textContent === 'Run charges');
    await page.keyboard.press('Enter');

    // When the run has finished the reconciliation is read again: complete, the late usage on a draft.
    await summary().getByText('Completely charged').waitFor({ timeout: 30_000 });

    // Closing now waits for that draft (and the dispute) and links to the period's drafts.
    await page.getByRole('button', { name: /^Close Q\d/ }).click();
    await dialog.getByRole('button', { name: 'Close the period' }).click();
    await expect(dialog.getByRole('alert').textContent()).resolves.toMatch(
      /cannot close yet: 1 charge is still draft \(not yet issued by its provider\) and 1 dispute is still to be decided\.$/,
    );
    await dialog.getByRole('link', { name: 'See the 1 draft charge to be issued by its provider' }).click();
    await page.getByRole('heading', { name: 'Cross-charges', level: 1 }).waitFor();
    const supplement = page
      .getByRole('row')
      .filter({ hasText: /^Lincolnshire County Council charges Suffolk County Council £/ });
    await supplement.getByText(/^Supplementary to ECIC-\d{4}-Q\d-\d{4}$/).waitFor();
    await expect(supplement.textContent()).resolves.toMatch(/ECIC-\d{4}-Q\d-\d{4}-S1/);
    await expect(supplement.textContent()).resolves.toContain('Draft (not yet issued)');
    await screenshot(page, 'consortium-draft-supplementary-charge');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
  });
});
