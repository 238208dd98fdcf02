import type { Browser, Page } from 'playwright-core';
import { formatDate } from '../src/format/date';
import { firstOfNextMonth, ukToday } from '../src/catalogue/subscription-text';
import { launchChromium } from './support/chromium';
import { DEMO_PASSWORD, type DemoApp, startDemoApp } from './support/demo-app';
import { openPage, PHONE, screenshot, seriousAccessibilityViolations, signIn } from './support/browser';

jest.setTimeout(60_000);

const ESSEX_CIO = 'cio@essex.gov.uk';
const LINCOLNSHIRE_CIO = 'cio@lincolnshire.gov.uk';
const SUFFOLK_VIEWER = 'viewer@suffolk.gov.uk';
const DATA_CENTRE = 'Tier III data-centre hosting';

/**
 * The CIO teams' screens on the demo consortium, in the order things happen: Essex finds Lincolnshire's
 * data-centre hosting, sees the price and asks to subscribe; Lincolnshire approves; Essex sees it active.
 */
describe('the CIO teams’ screens', () => {
  let demo: DemoApp;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[];
  let close: () => Promise<void>;

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

  /** As the provider, through the API: sets the service's capacity to exactly what its subscriptions hold. */
  async function fillCapacity(email: string, title: string) {
    const http = demo.test.http();
    const login = await http.post('/api/v1/auth/login').send({ email, password: DEMO_PASSWORD }).expect(200);
    const auth = { Authorization: `Bearer ${login.body.accessToken as string}` };
    const found = await http.get('/api/v1/services').query({ mine: 'true', q: title }).set(auth).expect(200);
    const service = (
      found.body.data as { id: string; title: string; capacity: { inUse: number; unit: string } }[]
    ).find((s) => s.title === title)!;
    await http
      .patch(`/api/v1/services/${service.id}`)
      .set(auth)
      .send({ capacity: { limit: service.capacity.inUse, unit: service.capacity.unit } })
      .expect(200);
  }

  afterEach(async () => {
    await close?.();
    // An uncaught error in the page fails the test that caused it, even when the screen looked right.
    expect(pageErrors).toEqual([]);
  });

  it('lets a CIO find a service by searching, see its price before confirming, and ask to subscribe', async () => {
    await openAs(ESSEX_CIO);
    await page.getByRole('menuitem', { name: 'Service catalogue' }).click();
    await page.getByRole('link', { name: 'Disaster recovery hosting' }).waitFor();
    await screenshot(page, 'catalogue-list');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);

    await page.getByRole('textbox', { name: 'Search services' }).fill('racks');
    await page.getByRole('link', { name: 'Disaster recovery hosting' }).waitFor({ state: 'detached' });
    await page.getByRole('link', { name: DATA_CENTRE }).click();

    await page.getByRole('heading', { name: DATA_CENTRE, level: 1 }).waitFor();
    const main = page.getByRole('main');
    await expect(main.getByText('provided by').textContent()).resolves.toContain(
      'Lincolnshire County Council',
    );
    await expect(main.getByTestId('price-summary').textContent()).resolves.toBe(
      '£3,450.00 per rack per quarter',
    );
    await expect(
      main.getByText('A one-off set-up fee of £1,800.00 when the subscription starts.').count(),
    ).resolves.toBe(1);
    await expect(
      main.getByRole('table', { name: 'Compliance certificates' }).textContent(),
    ).resolves.toContain('ISO/IEC 27001');
    await screenshot(page, 'catalogue-service');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);

    await page.getByRole('button', { name: 'Subscribe' }).click();
    const dialog = page.getByRole('dialog', { name: `Subscribe to ${DATA_CENTRE}` });
    await expect(
      dialog.getByText('Lincolnshire County Council must approve your request').count(),
    ).resolves.toBe(1);
    const confirm = dialog.getByRole('button', { name: 'Confirm and send request' });
    await expect(confirm.isDisabled()).resolves.toBe(true);
    await dialog.getByRole('textbox', { name: 'Quantity' }).fill('2');
    await dialog.getByRole('button', { name: 'See the price' }).click();

    const quote = dialog.getByTestId('quote');
    await quote.waitFor();
    await expect(quote.getByRole('heading').textContent()).resolves.toBe('£6,900.00 per quarter');
    await expect(quote.textContent()).resolves.toContain('£8,700.00');
    await screenshot(page, 'catalogue-subscribe');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await confirm.click();

    await page.getByText('Request sent. Lincolnshire County Council must approve it').waitFor();
    await page.getByRole('heading', { name: DATA_CENTRE, level: 1 }).waitFor();
    await expect(
      page.getByRole('main').getByText('Waiting for Lincolnshire County Council to approve').count(),
    ).resolves.toBe(1);
  });

  it('shows the provider’s CIO the requests, to approve one and reject another with a reason', async () => {
    await openAs(LINCOLNSHIRE_CIO);
    await page.getByRole('menuitem', { name: 'Subscription requests' }).click();
    const row = page.getByRole('row').filter({ hasText: 'Essex County Council' });
    await row.waitFor();
    // Kent's request from the demo data waits too: each request is decided on its own row.
    await expect(page.getByRole('row').filter({ hasText: 'Kent County Council' }).count()).resolves.toBe(1);
    await screenshot(page, 'catalogue-requests');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);

    // Each row's buttons say whose request they decide, for a screen reader going from button to button.
    await row
      .getByRole('button', { name: `Approve Essex County Council’s request for ${DATA_CENTRE}`, exact: true })
      .click();
    await page.getByText(`Approved: Essex County Council now subscribes to ${DATA_CENTRE}.`).waitFor();
    await row.waitFor({ state: 'detached' });

    // Lincolnshire lowers the capacity to what is in use: Kent's ten racks no longer fit, and the screen says so.
    await fillCapacity(LINCOLNSHIRE_CIO, DATA_CENTRE);
    const kent = page.getByRole('row').filter({ hasText: 'Kent County Council' });
    await kent.getByRole('button', { name: 'Approve' }).click();
    await page.getByText(/There is not enough room on this service: .*this needs 10 more/).waitFor();
    await expect(kent.getByText('Awaiting the provider’s approval').count()).resolves.toBe(1);

    await kent.getByRole('button', { name: 'Reject' }).click();
    const dialog = page.getByRole('dialog', { name: `Reject: ${DATA_CENTRE}` });
    const reject = dialog.getByRole('button', { name: 'Reject' });
    // The requester reads the reason, so there is no rejecting without one.
    await expect(reject.isDisabled()).resolves.toBe(true);
    // A reason the API refuses is said under the reason, and the dialog stays open to change it.
    await page.route('**/api/v1/subscriptions/*/reject', (route) =>
      route.fulfill({
        status: 400,
        contentType: 'application/problem+json',
        body: JSON.stringify({
          title: 'Your request is not valid',
          status: 400,
          detail: 'reason must be shorter than or equal to 2000 characters',
          errors: [{ field: 'reason', message: 'reason must be shorter than or equal to 2000 characters' }],
        }),
      }),
    );
    const reason = dialog.getByRole('textbox', { name: /Reason/ });
    await reason.fill('No racks free');
    await reject.click();
    await reason.and(page.locator('[aria-invalid="true"]')).waitFor();
    await expect(
      page.locator(`[id="${(await reason.getAttribute('aria-describedby')) ?? ''}"]`).textContent(),
    ).resolves.toBe('Must be shorter than or equal to 2000 characters.');
    await expect(dialog.getByRole('alert').textContent()).resolves.toBe(
      'Please correct the highlighted fields.',
    );
    await page.unroute('**/api/v1/subscriptions/*/reject');

    await reason.fill('No racks free until April');
    await reject.click();
    await page.getByText('Rejected: Kent County Council has been told why.').waitFor();
    await kent.waitFor({ state: 'detached' });
  });

  it('shows the subscriber its subscription active, with the agreed price and its history', async () => {
    await openAs(ESSEX_CIO);
    await page.getByRole('menuitem', { name: 'My subscriptions' }).click();
    const row = page.getByRole('row').filter({ hasText: DATA_CENTRE });
    await row.waitFor();
    await expect(row.getByText('Active').count()).resolves.toBe(1);
    await screenshot(page, 'catalogue-my-subscriptions');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);

    await row.getByRole('link', { name: DATA_CENTRE }).click();
    await page.getByRole('heading', { name: 'Agreed price' }).waitFor();
    const main = page.getByRole('main');
    await expect(main.getByText('£3,450.00 per rack per quarter').count()).resolves.toBe(1);
    const history = main.getByRole('list', { name: 'History' });
    await expect(history.textContent()).resolves.toContain('Approved');
    await expect(history.textContent()).resolves.toContain('Requested: quantity 2');
    await expect(main.getByRole('button', { name: 'Give notice' }).count()).resolves.toBe(1);
    await screenshot(page, 'catalogue-subscription');
  });

  it('shows a provider its own services with the steps their status allows', async () => {
    await openAs(LINCOLNSHIRE_CIO);
    await page.getByRole('menuitem', { name: 'My services' }).click();
    await page.getByRole('link', { name: 'Offsite backup storage' }).waitFor();
    await screenshot(page, 'catalogue-my-services');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);

    await page.getByRole('link', { name: DATA_CENTRE }).click();
    await page.getByRole('heading', { name: 'Price versions' }).waitFor();
    const main = page.getByRole('main');
    await expect(main.getByRole('button', { name: 'Suspend' }).count()).resolves.toBe(1);
    await expect(main.getByRole('button', { name: 'Retire' }).count()).resolves.toBe(1);
    await expect(main.getByText('8 of 8 units taken, none left').count()).resolves.toBe(1);

    // Retiring is for good, so it is confirmed first; cancelling changes nothing.
    await main.getByRole('button', { name: 'Retire' }).click();
    const confirm = page.getByRole('dialog', { name: `Retire ${DATA_CENTRE}?` });
    await expect(confirm.textContent()).resolves.toContain('is for good');
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await confirm.waitFor({ state: 'detached' });
    await expect(main.getByText('Published', { exact: true }).count()).resolves.toBe(1);
  });

  it('says in the quantity dialog, under the field concerned, why the API refused a change, and keeps it open', async () => {
    await openAs(ESSEX_CIO);
    await page.getByRole('menuitem', { name: 'My subscriptions' }).click();
    await page
      .getByRole('row')
      .filter({ hasText: DATA_CENTRE })
      .getByRole('link', { name: DATA_CENTRE })
      .click();
    await page.getByRole('heading', { name: 'Agreed price' }).waitFor();
    await page.getByRole('button', { name: 'Change quantity' }).click();
    const dialog = page.getByRole('dialog', { name: 'Change the quantity' });
    const quantity = dialog.getByRole('textbox', { name: 'New quantity' });
    const from = dialog.getByLabel(/^From/);
    const change = dialog.getByRole('button', { name: 'Change quantity' });
    const describedText = async (input: typeof from) =>
      page.locator(`[id="${(await input.getAttribute('aria-describedby')) ?? ''}"]`).textContent();

    // Essex asked to start on the first of next month, the day the dialog proposes; a change from today is
    // refused, and the day is said the UK way.
    const start = firstOfNextMonth(ukToday());
    await expect(from.inputValue()).resolves.toBe(start);
    await from.fill(ukToday());
    await quantity.fill('3');
    await change.click();
    await dialog.locator('[aria-invalid="true"]').waitFor();
    await expect(from.getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(describedText(from)).resolves.toBe(`Must be on or after ${formatDate(start)}.`);
    await expect(quantity.getAttribute('aria-invalid')).resolves.toBe('false');
    await expect(dialog.getByRole('alert').textContent()).resolves.toBe(
      'The quantity has not changed: please correct the highlighted field.',
    );
    // Said once, in the dialog: no toast repeats it.
    await expect(
      page
        .getByRole('alert')
        .filter({ hasText: /on or after/ })
        .count(),
    ).resolves.toBe(0);
    await screenshot(page, 'catalogue-quantity-refused');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);

    // From the first day, one more rack does not fit the full service: said under the quantity.
    await from.fill(start);
    await dialog.getByRole('alert').waitFor({ state: 'detached' });
    await change.click();
    await quantity.and(page.locator('[aria-invalid="true"]')).waitFor();
    await expect(describedText(quantity)).resolves.toMatch(
      /^There is not enough room on this service for that many: .*this needs 1 more\. Choose a smaller quantity/,
    );
    await expect(from.getAttribute('aria-invalid')).resolves.toBe('false');

    // A decrease always fits: the dialog closes and the history says what changed.
    await quantity.fill('1');
    await change.click();
    await page.getByText('Quantity changed to 1.').waitFor();
    await dialog.waitFor({ state: 'detached' });
    await page
      .getByRole('list', { name: 'History' })
      .getByText(`Quantity changed from 2 to 1 from ${formatDate(start)}`)
      .waitFor();
  });

  it('lets a provider list a new service as a draft, change it, publish it, change its price and record a certificate', async () => {
    await openAs(LINCOLNSHIRE_CIO);
    await page.getByRole('menuitem', { name: 'My services' }).click();
    await page.getByRole('link', { name: 'List a new service' }).click();

    const choose = async (label: string, option: string) => {
      await page.getByRole('combobox', { name: label }).click();
      await page.getByRole('option', { name: option }).click();
    };
    await choose('Offered to', 'Eastern Counties ICT Consortium');
    await page.getByRole('textbox', { name: 'Title' }).fill('Managed firewall');
    await choose('Category', 'Cyber security');
    await page.getByRole('textbox', { name: 'Summary' }).fill('Firewalls run for you around the clock.');
    await page
      .getByRole('textbox', { name: 'Description' })
      .fill('Next-generation firewalls, patched and watched.');
    await page.getByRole('textbox', { name: 'Hours of cover' }).fill('24x7');
    await page.getByRole('spinbutton', { name: 'Response target (hours)' }).fill('1');
    await page.getByRole('spinbutton', { name: 'Resolution target (hours)' }).fill('4');
    await page.getByRole('textbox', { name: 'Availability (%)' }).fill('99.9');
    await page.getByRole('spinbutton', { name: 'Capacity limit' }).fill('20');
    await page.getByRole('textbox', { name: 'Name' }).fill('Steve Barker');
    await page.getByRole('textbox', { name: 'Email' }).fill('firewalls@lincolnshire.gov.uk');
    await page.getByRole('textbox', { name: 'Fee per period (£)' }).fill('1250.00');
    await page.getByRole('button', { name: 'Save' }).click();

    await page.getByRole('heading', { name: 'Managed firewall', level: 1 }).waitFor();
    const main = page.getByRole('main');
    await expect(main.getByText('Draft', { exact: true }).count()).resolves.toBe(1);
    await expect(main.getByTestId('price-summary').textContent()).resolves.toBe('£1,250.00 per quarter');
    await main.getByRole('link', { name: 'Edit' }).click();
    await page
      .getByRole('textbox', { name: 'Summary' })
      .fill('Firewalls run and watched for you around the clock.');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Firewalls run and watched for you around the clock.').waitFor();

    await main.getByRole('button', { name: 'Publish' }).click();
    await page.getByText('Published: members of the consortium can now find and subscribe to it.').waitFor();
    await main.getByRole('button', { name: 'Suspend' }).waitFor();

    await main.getByRole('button', { name: 'Change the price' }).click();
    const priceDialog = page.getByRole('dialog', { name: 'Change the price of Managed firewall' });
    await priceDialog.getByRole('textbox', { name: 'Fee per period (£)' }).fill('1300.00');
    await priceDialog.getByRole('button', { name: 'Set new price' }).click();
    await page.getByText('Price version 2 is now the price new subscribers agree to.').waitFor();
    // The page refreshes after the notice: wait for the new price rather than read the old one.
    await main
      .getByTestId('price-summary')
      .filter({ hasText: /^£1,300\.00 per quarter$/ })
      .waitFor();
    const versions = main.getByRole('table', { name: 'Price versions' });
    await versions.getByRole('row', { name: /2 \(current\)/ }).waitFor();
    await expect(versions.getByRole('row').count()).resolves.toBe(3);

    await main.getByRole('button', { name: 'Add a certificate' }).click();
    const certificate = page.getByRole('dialog', { name: 'Add a compliance certificate' });
    await certificate.getByRole('textbox', { name: 'Certificate reference' }).fill('CE-IASME-0200001');
    await certificate.getByLabel('Issued on').fill('2026-06-01');
    await certificate.getByLabel('Expires on').fill('2027-05-31');
    await certificate.getByRole('button', { name: 'Add certificate' }).click();
    await page.getByText('PSN compliance certificate recorded.').waitFor();
    await main.getByRole('cell', { name: 'CE-IASME-0200001' }).waitFor();
    await screenshot(page, 'catalogue-my-service');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
  });

  it('lets a viewer browse the catalogue at phone width, with no Subscribe, no My services, and not-found said in words', async () => {
    await openAs(SUFFOLK_VIEWER, PHONE);
    await page
      .getByRole('button', { name: /open menu|menu/i })
      .first()
      .click();
    await page.getByRole('menuitem', { name: 'Service catalogue' }).click();
    await page.getByRole('link', { name: 'Disaster recovery hosting' }).waitFor();
    await expect(page.getByRole('menuitem', { name: 'My services' }).count()).resolves.toBe(0);
    await screenshot(page, 'catalogue-list-phone');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);

    await page.getByRole('link', { name: 'Disaster recovery hosting' }).click();
    await page.getByRole('heading', { name: 'Disaster recovery hosting', level: 1 }).waitFor();
    await expect(page.getByRole('button', { name: 'Subscribe' }).count()).resolves.toBe(0);

    await page.goBack();
    await page.getByRole('combobox', { name: 'Provider' }).click();
    await page.getByRole('option', { name: 'Kent County Council' }).click();
    await page.getByRole('link', { name: 'Disaster recovery hosting' }).waitFor({ state: 'detached' });
    await expect(page.getByRole('link', { name: /PSN compliance health check/ }).count()).resolves.toBe(1);
    await expect(page.getByRole('link', { name: /Wide-area network/ }).count()).resolves.toBe(1);

    await page.getByRole('textbox', { name: 'Search services' }).fill('submarine cables');
    await page.getByText('No services match your search and filters.').waitFor();

    // A service this organisation cannot see is not found, said in words where it was asked for.
    await page.goto(`${demo.baseUrl}/#/catalogue/00000000-0000-4000-8000-000000000000/show`);
    await page
      .getByRole('alert')
      .filter({ hasText: /not found/i })
      .waitFor();
  });

  it('says in words when the catalogue cannot be loaded, and loads it again on Try again', async () => {
    await openAs(SUFFOLK_VIEWER);
    await page.route('**/api/v1/services?*', (route) =>
      route.fulfill({
        status: 503,
        contentType: 'application/problem+json',
        body: JSON.stringify({ title: 'Service Unavailable', status: 503, requestId: 'req-catalogue-1' }),
      }),
    );
    await page.getByRole('menuitem', { name: 'Service catalogue' }).click();
    const problem = page
      .getByRole('main')
      .getByRole('alert')
      .filter({ hasText: 'Something went wrong on our side' });
    await problem.waitFor();
    await expect(problem.textContent()).resolves.toContain('quote reference req-catalogue-1');
    // Said once, on the page: no toast repeats it, and no page count pretends there is a page.
    await expect(
      page.getByRole('alert').filter({ hasText: 'Something went wrong on our side' }).count(),
    ).resolves.toBe(1);
    await expect(page.getByText(/^\d+-\d+ of /).count()).resolves.toBe(0);
    await screenshot(page, 'catalogue-list-unavailable');

    await page.unroute('**/api/v1/services?*');
    await problem.getByRole('button', { name: 'Try again' }).click();
    await page.getByRole('link', { name: 'Disaster recovery hosting' }).waitFor();
    await problem.waitFor({ state: 'detached' });
  });
});
