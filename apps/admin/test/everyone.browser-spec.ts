import type { Browser, Page } from 'playwright-core';
import { DEMO_PASSWORD, type DemoApp, startDemoApp } from './support/demo-app';
import { launchChromium } from './support/chromium';
import {
  DESKTOP,
  openPage,
  PHONE,
  screenshot,
  seriousAccessibilityViolations,
  signIn,
} from './support/browser';

jest.setTimeout(60_000);

/** The entries of the side menu, in order, as a person reads them. */
async function menuEntries(page: Page): Promise<string[]> {
  const items = page.locator('.RaSidebar-fixed [role="menuitem"]');
  await items.first().waitFor();
  return (await items.allInnerTexts()).map((text) => text.trim());
}

describe('the admin UI for everyone and for organisation administrators', () => {
  let demo: DemoApp;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[];
  let closeContext: () => Promise<void>;

  beforeAll(async () => {
    browser = await launchChromium();
    demo = await startDemoApp();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await demo?.close();
  });

  async function open(viewport = DESKTOP) {
    const opened = await openPage(browser, viewport);
    page = opened.page;
    pageErrors = opened.pageErrors;
    closeContext = () => opened.context.close();
  }

  async function signInAs(email: string, viewport = DESKTOP) {
    await open(viewport);
    await signIn(page, demo.baseUrl, email, DEMO_PASSWORD);
  }

  afterEach(async () => {
    await closeContext?.();
    // An uncaught error in the page fails the test that caused it, even when the screen looked right.
    expect(pageErrors).toEqual([]);
  });

  it('shows a sign-in page with no serious accessibility problems', async () => {
    await open();
    await page.goto(`${demo.baseUrl}/`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();

    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'everyone-sign-in');
  });

  // Each feature's entries (catalogue/, finance/, consortium/ and organisation/ menu()), by the endpoints' roles.
  const CATALOGUE = ['Service catalogue'];
  const PROVIDING = ['My services', 'Subscription requests', 'My subscriptions'];
  const CHARGES = ['Cross-charges', 'Credit notes'];
  const STATEMENTS = ['Account and statement', 'Savings'];
  const CONSORTIUM = ['Members', 'Billing periods', 'Escalated disputes'];
  const ORG_ADMIN = ['Users and roles', 'API keys'];
  it.each([
    [
      'consortium.admin@norfolk.gov.uk',
      [...CATALOGUE, ...STATEMENTS, ...CONSORTIUM, 'Notifications', 'Audit log'],
      [...PROVIDING, ...CHARGES, ...ORG_ADMIN],
    ],
    [
      'admin@norfolk.gov.uk',
      [...CATALOGUE, ...PROVIDING, ...CHARGES, ...STATEMENTS, 'Notifications', ...ORG_ADMIN, 'Audit log'],
      CONSORTIUM,
    ],
    [
      'cio@norfolk.gov.uk',
      [...CATALOGUE, ...PROVIDING, 'Notifications'],
      [...CHARGES, ...STATEMENTS, ...CONSORTIUM, ...ORG_ADMIN, 'Audit log'],
    ],
    [
      'finance@kent.gov.uk',
      [...CATALOGUE, ...CHARGES, ...STATEMENTS, 'Notifications'],
      [...PROVIDING, ...CONSORTIUM, ...ORG_ADMIN, 'Audit log'],
    ],
    [
      'viewer@suffolk.gov.uk',
      [...CATALOGUE, ...STATEMENTS, 'Notifications'],
      [...PROVIDING, ...CHARGES, ...CONSORTIUM, ...ORG_ADMIN, 'Audit log'],
    ],
  ])('offers %s the menu entries their roles allow, and not the rest', async (email, offered, withheld) => {
    await signInAs(email);

    const entries = await menuEntries(page);
    expect(entries[0]).toBe('Dashboard');
    expect(entries).toEqual(expect.arrayContaining(offered));
    for (const entry of withheld) expect(entries).not.toContain(entry);
  });

  it("shows an organisation's dashboard: this period's charges in words and its savings, at 1280 px", async () => {
    await signInAs('finance@kent.gov.uk');

    const charges = page.getByTestId('period-charges');
    await charges.waitFor();
    await expect(charges.textContent()).resolves.toMatch(/Kent County Council owes .+ £[\d,]+\.\d{2}/);
    const savings = page.getByTestId('savings');
    await savings.waitFor();
    await expect(savings.textContent()).resolves.toMatch(/(Saved|Spent) £[\d,]+\.\d{2}/);
    // The table names each period rather than giving its key.
    await page
      .getByRole('table', { name: 'Savings by billing period' })
      .getByRole('rowheader', { name: /^Q[1-4] \d{4} \(\w+ to \w+\)$/ })
      .first()
      .waitFor();
    await expect(page.getByRole('table', { name: 'Savings by billing period' }).isVisible()).resolves.toBe(
      true,
    );
    await expect(page.getByTestId('services-consumed-count').textContent()).resolves.toMatch(/^\d+\+?$/);
    // Our published services lead to the catalogue's page for each.
    const provided = page.getByRole('region', { name: 'Services we provide' }).getByRole('link').first();
    await expect(provided.getAttribute('href')).resolves.toMatch(/^#\/catalogue\/[^/]+\/show$/);

    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'everyone-dashboard');
  });

  it('shows an organisation with nothing yet what will appear, rather than empty boxes', async () => {
    await signInAs('viewer@broadland-trust.org.uk');

    const main = page.getByRole('main');
    await main.getByText('is not an active member of any consortium yet').waitFor();
    await main.getByText('You do not publish any services yet').waitFor();
    await main.getByText('You do not take any shared services yet').waitFor();
    await expect(page.getByTestId('period-charges').count()).resolves.toBe(0);
  });

  it('says in words when one part of the dashboard cannot be loaded, and still shows the rest', async () => {
    await open();
    await page.route('**/api/v1/cross-charges?*', (route) =>
      route.fulfill({
        status: 503,
        contentType: 'application/problem+json',
        body: JSON.stringify({ title: 'Service Unavailable', status: 503, requestId: 'req-dashboard-1' }),
      }),
    );
    await signIn(page, demo.baseUrl, 'finance@kent.gov.uk', DEMO_PASSWORD);

    const charges = page.getByRole('region', { name: 'Charges this period' });
    await charges.getByRole('alert').filter({ hasText: 'Something went wrong on our side' }).waitFor();
    await expect(charges.textContent()).resolves.toContain('quote reference req-dashboard-1');
    await page.getByTestId('savings').waitFor();
  });

  it('reads well on a phone: the dashboard and notifications fit, and the menu opens from the app bar', async () => {
    await signInAs('admin@norfolk.gov.uk', PHONE);
    await page.getByTestId('period-charges').waitFor();

    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'everyone-dashboard-phone');

    await page
      .getByRole('button', { name: /open menu|toggle menu|menu/i })
      .first()
      .click();
    await page.getByRole('menuitem', { name: 'Notifications' }).click();
    await page.getByRole('button', { name: 'Mark all read' }).waitFor();
    await page
      .getByRole('button', { name: /^Mark read: / })
      .first()
      .waitFor();
    const listOverflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(listOverflow).toBeLessThanOrEqual(0);
    await screenshot(page, 'everyone-notifications-phone');
  });

  it('lets everyone read their notifications, mark one read and mark all read', async () => {
    await signInAs('cio@lincolnshire.gov.uk');
    const bell = page.getByRole('link', { name: /^Notifications, \d+ unread$/ });
    await bell.waitFor();

    await bell.click();
    await page.getByRole('button', { name: 'Mark all read' }).waitFor();
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'everyone-notifications');
    const unreadBefore = Number(/(\d+) unread/.exec((await bell.getAttribute('aria-label')) ?? '')?.[1]);

    await page
      .getByRole('button', { name: /^Mark read: / })
      .first()
      .click();
    await page.getByRole('link', { name: `Notifications, ${unreadBefore - 1} unread` }).waitFor();

    await page.getByRole('button', { name: 'Mark all read' }).click();
    await page.getByRole('link', { name: 'Notifications, none unread' }).waitFor();
    await expect(page.getByRole('button', { name: /^Mark read: / }).count()).resolves.toBe(0);
  });

  it('lets an organisation administrator create an API key, shows the secret once, and revoke it', async () => {
    await signInAs('admin@norfolk.gov.uk');
    await page.goto(`${demo.baseUrl}/#/api-keys`);
    await page.getByRole('link', { name: 'Create an API key' }).first().click();
    await page.getByRole('textbox', { name: 'What the key is for' }).fill('Usage feed from the data centre');
    await page.getByRole('checkbox', { name: /^usage:write/ }).check();
    await page.getByRole('button', { name: 'Save' }).click();

    const dialog = page.getByRole('dialog', { name: /Your new API key/ });
    await dialog.waitFor();
    const secret = await dialog.getByRole('textbox', { name: 'API key' }).inputValue();
    expect(secret).toMatch(/^csk_[^_]+_.+/);
    await expect(dialog.textContent()).resolves.toContain('shown only this once');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'everyone-api-key-created');
    // The dialog keeps the keyboard in it until it is closed.
    for (let i = 0; i < 4; i += 1) await page.keyboard.press('Tab');
    await expect(
      page.evaluate(() => document.activeElement?.closest('[role="dialog"]') !== null),
    ).resolves.toBe(true);
    await dialog.getByRole('button', { name: 'I have stored the key' }).click();

    const row = page.getByRole('row').filter({ hasText: 'Usage feed from the data centre' });
    await row.waitFor();
    // What the key may do, in words rather than its scope's code.
    await row.getByText('Report metered usage').waitFor();
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'everyone-api-keys');
    await page.reload();
    await row.waitFor();
    await expect(page.content()).resolves.not.toContain(secret);

    await row.getByRole('button', { name: 'Revoke Usage feed from the data centre' }).click();
    await page.getByRole('button', { name: 'Revoke key' }).click();
    await row.getByText('Revoked').waitFor();
    // The key no longer works against the API.
    const refused = await fetch(`${demo.baseUrl}/api/v1/api-keys`, { headers: { 'X-API-Key': secret } });
    expect(refused.status).toBe(401);
  });

  it('lets an organisation administrator list, filter, add and deactivate users, and explains the self-lockout rule', async () => {
    await signInAs('admin@norfolk.gov.uk');
    await page.goto(`${demo.baseUrl}/#/users`);
    await page.getByRole('row').filter({ hasText: 'finance@norfolk.gov.uk' }).waitFor();
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'everyone-users');

    // Filtered by role, on show without hunting for an "Add filter" button.
    const role = page.getByRole('combobox', { name: 'Role' });
    await role.click();
    await page.getByRole('option', { name: 'Finance', exact: true }).click();
    await page.getByRole('row').filter({ hasText: 'cio@norfolk.gov.uk' }).waitFor({ state: 'detached' });
    await page.getByRole('row').filter({ hasText: 'finance@norfolk.gov.uk' }).waitFor();
    await role.click();
    // react-admin names the empty choice "Clear value" for screen readers; it reads "Any role".
    await page.getByRole('option').filter({ hasText: 'Any role' }).click();
    await page.getByRole('row').filter({ hasText: 'cio@norfolk.gov.uk' }).waitFor();

    await page.getByRole('textbox', { name: 'Search name or email' }).fill('finance');
    await page.getByRole('row').filter({ hasText: 'cio@norfolk.gov.uk' }).waitFor({ state: 'detached' });

    await page.getByRole('link', { name: 'Add a user' }).click();
    await page.getByRole('textbox', { name: 'Email address' }).fill('new.starter@norfolk.gov.uk');
    await page.getByRole('textbox', { name: 'Full name' }).fill('New Starter');
    await page.getByRole('checkbox', { name: 'Viewer' }).check();
    await page.getByLabel(/First password/).fill('a-long-first-password');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('textbox', { name: 'Search name or email' }).fill('new.starter');
    const starter = page.getByRole('row').filter({ hasText: 'new.starter@norfolk.gov.uk' });
    await starter.click();
    await page.getByRole('combobox', { name: 'Status' }).click();
    await page.getByRole('option', { name: 'Deactivated' }).click();
    await page.getByRole('button', { name: 'Save changes' }).click();
    await starter.getByText('Deactivated').waitFor();

    await page.getByRole('textbox', { name: 'Search name or email' }).fill('Organisation Administrator');
    await page.getByRole('row').filter({ hasText: 'admin@norfolk.gov.uk' }).click();
    await expect(page.getByTestId('self-lockout-rule').textContent()).resolves.toContain(
      'You cannot deactivate yourself',
    );
    await page.getByRole('checkbox', { name: 'Organisation administrator' }).uncheck();
    await page.getByRole('checkbox', { name: 'Viewer' }).check();
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('You cannot give up your own organisation administrator role').waitFor();
  });

  it("shows the API's refusal of a field under that field's input, and only a short summary in the notification", async () => {
    await signInAs('admin@norfolk.gov.uk');
    await page.goto(`${demo.baseUrl}/#/users/create`);
    // The form asks only that a name is given; the API takes at most 200 characters.
    await page.getByRole('textbox', { name: 'Email address' }).fill('long.name@norfolk.gov.uk');
    await page.getByRole('textbox', { name: 'Full name' }).fill('N'.repeat(201));
    await page.getByRole('checkbox', { name: 'Viewer' }).check();
    await page.getByLabel(/First password/).fill('a-long-first-password');
    await page.getByRole('button', { name: 'Save' }).click();

    // In words under the input: the label names the field, so the API's property name is not repeated.
    const refusal = 'Must be shorter than or equal to 200 characters.';
    await page.locator('.ra-input-name').getByText(refusal).waitFor();
    await expect(page.getByRole('textbox', { name: 'Full name' }).getAttribute('aria-invalid')).resolves.toBe(
      'true',
    );
    // The notification points at the fields rather than repeating them.
    const toast = page.getByRole('alert').filter({ hasText: 'Please correct the highlighted fields.' });
    await toast.waitFor();
    await expect(toast.textContent()).resolves.not.toContain('200 characters');
    // Nothing else is marked: the email the API accepted has no message under it.
    await expect(page.locator('.ra-input-email .Mui-error').count()).resolves.toBe(0);
    await screenshot(page, 'everyone-user-refused-field');
  });

  it("shows the API's refusal of a field in a list under that item's input: a service contact's email", async () => {
    await signInAs('cio@lincolnshire.gov.uk');
    await page.goto(`${demo.baseUrl}/#/my-services/create`);
    const choose = async (label: string, option: string) => {
      await page.getByRole('combobox', { name: label }).click();
      await page.getByRole('option', { name: option }).click();
    };
    await choose('Offered to', 'Eastern Counties ICT Consortium');
    await page.getByRole('textbox', { name: 'Title' }).fill('Refused contact');
    await choose('Category', 'Cyber security');
    await page.getByRole('textbox', { name: 'Summary' }).fill('A service whose contact the API refuses.');
    await page.getByRole('textbox', { name: 'Description' }).fill('Its contact email has no domain.');
    await page.getByRole('textbox', { name: 'Hours of cover' }).fill('24x7');
    await page.getByRole('spinbutton', { name: 'Response target (hours)' }).fill('1');
    await page.getByRole('spinbutton', { name: 'Resolution target (hours)' }).fill('4');
    await page.getByRole('textbox', { name: 'Availability (%)' }).fill('99.9');
    await page.getByRole('textbox', { name: 'Name' }).fill('Steve Barker');
    // The browser takes an address without a top-level domain; the API does not.
    const email = page.getByRole('textbox', { name: 'Email' });
    await email.fill('firewalls@lincolnshire');
    await page.getByRole('textbox', { name: 'Fee per period (£)' }).fill('1250.00');
    await page.getByRole('button', { name: 'Save' }).click();

    await page.getByRole('alert').filter({ hasText: 'Please correct the highlighted fields.' }).waitFor();
    await email.and(page.locator('[aria-invalid="true"]')).waitFor();
    const described = (await email.getAttribute('aria-describedby')) ?? '';
    await expect(page.locator(`[id="${described}"]`).textContent()).resolves.toBe('Must be an email.');
  });

  it('lists users and the audit log one row per item on a phone, without sideways scrolling', async () => {
    await signInAs('admin@norfolk.gov.uk', PHONE);
    const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

    await page.goto(`${demo.baseUrl}/#/users`);
    await page.getByRole('main').getByText('finance@norfolk.gov.uk').waitFor();
    await expect(page.getByRole('table').count()).resolves.toBe(0);
    expect(await overflow()).toBeLessThanOrEqual(0);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'everyone-users-phone');

    await page.goto(`${demo.baseUrl}/#/audit-events`);
    await page
      .getByRole('main')
      // Who did what, in one line: this very sign-in is the latest.
      .getByText(/admin@norfolk\.gov\.uk: Signed in/)
      .first()
      .waitFor();
    await expect(page.getByRole('table').count()).resolves.toBe(0);
    expect(await overflow()).toBeLessThanOrEqual(0);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'everyone-audit-log-phone');
  });

  it('shows the audit log in words, filtered by what a change was about', async () => {
    await signInAs('admin@norfolk.gov.uk');
    await page.goto(`${demo.baseUrl}/#/audit-events`);
    await page.getByRole('columnheader', { name: 'What changed' }).waitFor();
    await page.getByRole('row').nth(1).waitFor();

    await page.getByRole('combobox', { name: 'About' }).click();
    await page.getByRole('option', { name: 'Billing period' }).click();
    // Every row left is about a billing period, the closed quarters among them.
    await page.waitForFunction(() => {
      const cells = Array.from(document.querySelectorAll('tbody tr td:nth-child(4)')).map(
        (cell) => cell.textContent,
      );
      return cells.length > 0 && cells.every((text) => text === 'Billing period');
    });
    await page.getByRole('row').filter({ hasText: 'Billing period closed' }).first().waitFor();
    // Actions and changed fields read as words, not as the API's codes.
    await expect(page.getByRole('main').textContent()).resolves.not.toMatch(/billing_period\.|endDate/);
    await expect(page.getByRole('main').textContent()).resolves.not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'everyone-audit-log');
  });

  it("shows a consortium administrator their consortium's audit log", async () => {
    await signInAs('consortium.admin@norfolk.gov.uk');
    await page.getByRole('menuitem', { name: 'Audit log' }).click();

    // The consortium's trail: other members' changes, not only Norfolk's own.
    await page.getByRole('row').filter({ hasText: 'finance@kent.gov.uk' }).first().waitFor();
    await page
      .getByRole('combobox', { name: 'Consortium' })
      .filter({ hasText: 'Eastern Counties ICT Consortium' })
      .waitFor();
  });

  it('shows the not-allowed page when someone opens a screen their roles do not allow', async () => {
    await signInAs('viewer@suffolk.gov.uk');
    await page.goto(`${demo.baseUrl}/#/users`);

    await page.getByRole('heading', { name: 'You are not allowed to see this' }).waitFor();
    await expect(page.getByRole('main').textContent()).resolves.toContain(
      'Only your organisation’s administrators manage',
    );
    await screenshot(page, 'everyone-not-allowed');
  });

  it('shows a viewer the not-allowed page, not a missing one, at a CIO team’s address', async () => {
    await signInAs('viewer@suffolk.gov.uk');
    await page.goto(`${demo.baseUrl}/#/my-services/create`);
    await page.getByRole('heading', { name: 'You are not allowed to see this' }).waitFor();
    await expect(page.getByRole('main').textContent()).resolves.toContain(
      'manage its services and subscriptions',
    );
    await page.goto(`${demo.baseUrl}/#/subscription-requests`);
    await page.getByRole('heading', { name: 'You are not allowed to see this' }).waitFor();
  });

  it("shows the API's refusal in words on the not-allowed page", async () => {
    await signInAs('consortium.admin@norfolk.gov.uk');
    const notTheirs = encodeURIComponent(
      JSON.stringify({ consortiumId: '00000000-0000-4000-8000-000000000000' }),
    );
    await page.goto(`${demo.baseUrl}/#/audit-events?filter=${notTheirs}`);

    await page.getByRole('heading', { name: 'You are not allowed to see this' }).waitFor();
    await expect(page.getByRole('main').textContent()).resolves.toContain(
      'You do not administer this consortium',
    );
  });

  it('can be used by keyboard: a skip-to-content link comes first and focus is visible', async () => {
    await signInAs('admin@norfolk.gov.uk');
    await page.goto(`${demo.baseUrl}/#/users`);
    await page.getByRole('link', { name: 'Add a user' }).waitFor();

    await page.keyboard.press('Tab');
    await expect(page.locator(':focus').textContent()).resolves.toBe('Skip to content');
    await page.keyboard.press('Enter');
    // The skip link moves the keyboard's starting point: the next Tab lands in the main content, not the menu.
    await page.keyboard.press('Tab');
    const inMain = () => page.evaluate(() => document.activeElement?.closest('#main-content') !== null);
    await expect(inMain()).resolves.toBe(true);

    await page.getByRole('link', { name: 'Add a user' }).focus();
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Tab');
    const outline = await page.evaluate(
      () => getComputedStyle(document.activeElement as Element).outlineStyle,
    );
    expect(outline).toBe('solid');
  });
});
