import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { aConsortiumWithMembers, TEST_PASSWORD } from '../../api/test/support/builders';
import { createTestApp, type TestApp } from '../../api/test/support/test-app';
import { openPage } from './support/browser';
import { launchChromium } from './support/chromium';
import { ADMIN_BROWSER_BUILD_DIR, SCREENSHOT_DIR } from './support/paths';

jest.setTimeout(30_000);

const SESSION_KEY = 'consortium.session';

interface StoredSession {
  accessToken: string;
  accessTokenExpiresAt: number;
  refreshToken: string;
}

describe('the admin UI in a browser', () => {
  let test: TestApp;
  let browser: Browser;
  let baseUrl: string;
  let cast: Awaited<ReturnType<typeof aConsortiumWithMembers>>;
  let context: BrowserContext;
  let page: Page;
  let pageErrors: string[];

  beforeAll(async () => {
    // Chromium first: without it, fail at once with the command that installs it.
    browser = await launchChromium();
    test = await createTestApp({ ADMIN_UI_DIR: ADMIN_BROWSER_BUILD_DIR });
    await test.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = test.app.getHttpServer().address() as AddressInfo;
    baseUrl = `http://127.0.0.1:${port}`;
    cast = await aConsortiumWithMembers(test.dataSource);
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await test?.close();
  });

  beforeEach(async () => {
    // Records uncaught errors and breaches of the Content-Security-Policy, checked after each test.
    ({ context, page, pageErrors } = await openPage(browser));
  });

  afterEach(async () => {
    await context.close();
    // An uncaught error in the page fails the test that caused it, even when the screen looked right.
    expect(pageErrors).toEqual([]);
  });

  const session = () =>
    page.evaluate((key) => {
      const raw = sessionStorage.getItem(key);
      return raw ? (JSON.parse(raw) as StoredSession) : null;
    }, SESSION_KEY);

  async function signIn(email: string, password: string) {
    await page.goto(`${baseUrl}/`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByRole('textbox', { name: 'Email address' }).fill(email);
    await page.getByRole('textbox', { name: 'Password', exact: true }).fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  it('is served by the API at / with its assets', async () => {
    const index = await fetch(`${baseUrl}/`);
    const html = await index.text();
    const script = /src="\.?\/?(assets\/[^"]+\.js)"/.exec(html)?.[1];

    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toMatch(/text\/html/);
    expect(script).toBeDefined();
    const asset = await fetch(`${baseUrl}/${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
  });

  it('is served under a Content-Security-Policy and frame protection, and a breach of the policy is caught', async () => {
    const index = await fetch(`${baseUrl}/`);
    expect(index.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(index.headers.get('x-frame-options')).toBe('DENY');
    await page.goto(`${baseUrl}/`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();

    // What an injected inline script would meet: refused, and reported the way every test here would see it.
    const reported = page.waitForEvent('console', (message) =>
      message.text().includes('Content Security Policy'),
    );
    const ran = await page.evaluate(() => {
      const script = document.createElement('script');
      script.textContent = 'window.injected = true';
      document.head.append(script);
      return (window as unknown as { injected?: boolean }).injected ?? false;
    });
    await reported;

    expect(ran).toBe(false);
    expect(pageErrors).toEqual([expect.stringContaining("script-src 'self'")]);
    pageErrors.length = 0;
  });

  it('shows the API docs (Swagger UI) within the same policy', async () => {
    await page.goto(`${baseUrl}/api/docs`);

    await page.getByRole('heading', { name: /Consortium shared-services marketplace API/ }).waitFor();
    await page
      .getByRole('button', { name: /\/api\/v1\/auth\/login/ })
      .first()
      .waitFor();
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'api-docs.png'), fullPage: false });
  });

  it('signs a user in, shows their organisation, roles and consortium, and signs them out', async () => {
    const user = cast.homeUsers.admin;

    await signIn(user.email, TEST_PASSWORD);

    await page.getByRole('heading', { name: cast.home.name }).waitFor();
    const dashboard = page.getByRole('main');
    await expect(dashboard.getByTestId('signed-in-as').textContent()).resolves.toContain(user.email);
    await expect(dashboard.getByText('Organisation administrator').count()).resolves.toBe(1);
    await expect(dashboard.getByText(cast.consortium.name).count()).resolves.toBe(1);
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'dashboard.png'), fullPage: true });
    const signedIn = await session();
    expect(signedIn?.refreshToken).toEqual(expect.any(String));

    await page.getByRole('button', { name: 'Your account' }).click();
    await page.getByRole('menuitem', { name: 'Sign out' }).click();

    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await expect(session()).resolves.toBeNull();
    // Signing out revoked the session on the server, not only in the browser.
    await test.http().post('/api/v1/auth/refresh').send({ refreshToken: signedIn!.refreshToken }).expect(401);
  });

  it('explains a wrong password and stays on the sign-in page', async () => {
    await signIn(cast.homeUsers.viewer.email, 'not-the-password');

    const alert = page.getByRole('alert').filter({ hasText: 'email or password' });
    await alert.waitFor();
    await expect(alert.textContent()).resolves.toBe('The email or password is not right.');
    await expect(session()).resolves.toBeNull();
    await page.getByRole('button', { name: 'Sign in', disabled: false }).waitFor();
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'sign-in-refused.png') });
  });

  it('keeps the user signed in when the access token is refused, by refreshing it once', async () => {
    await signIn(cast.homeUsers.finance.email, TEST_PASSWORD);
    await page.getByRole('heading', { name: cast.home.name }).waitFor();
    const before = (await session())!;

    // As if the access token had lapsed while the clock said otherwise: the API answers 401 to it.
    await page.evaluate(([key, value]) => sessionStorage.setItem(key, value), [
      SESSION_KEY,
      JSON.stringify({ ...before, accessToken: 'expired.or.revoked' }),
    ] as const);
    await page.reload();

    await page.getByRole('heading', { name: cast.home.name }).waitFor();
    const after = (await session())!;
    expect(after.refreshToken).not.toBe(before.refreshToken);
    expect(after.accessToken).not.toBe('expired.or.revoked');
  });

  it('refreshes an access token that is about to expire before using it', async () => {
    await signIn(cast.homeUsers.manager.email, TEST_PASSWORD);
    await page.getByRole('heading', { name: cast.home.name }).waitFor();
    const before = (await session())!;

    await page.evaluate(([key, value]) => sessionStorage.setItem(key, value), [
      SESSION_KEY,
      JSON.stringify({ ...before, accessTokenExpiresAt: Date.now() + 1_000 }),
    ] as const);
    await page.reload();

    await page.getByRole('heading', { name: cast.home.name }).waitFor();
    await page.waitForFunction(
      ([key, old]) => {
        const raw = sessionStorage.getItem(key);
        return raw !== null && (JSON.parse(raw) as { refreshToken: string }).refreshToken !== old;
      },
      [SESSION_KEY, before.refreshToken] as const,
    );
    const after = (await session())!;
    expect(after.accessTokenExpiresAt).toBeGreaterThan(Date.now() + 60_000);
  });
});
