import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { aConsortiumWithMembers, TEST_PASSWORD } from '../../api/test/support/builders';
import { createTestApp, type TestApp } from '../../api/test/support/test-app';
import { launchChromium } from './support/chromium';
import { ADMIN_BROWSER_BUILD_DIR } from './support/paths';

// Two pages and three reloads in a test: more than one page load's worth of time on a loaded machine.
jest.setTimeout(60_000);

const SESSION_KEY = 'consortium.session';
/** How the API stores a refresh token: its SHA-256, in hex. */
const sha256 = (token: string) => createHash('sha256').update(token).digest('hex');

interface StoredSession {
  accessToken: string;
  accessTokenExpiresAt: number;
  refreshToken: string;
}

describe('the admin UI’s session, when it ends elsewhere or is shared by a duplicated tab', () => {
  let test: TestApp;
  let browser: Browser;
  let baseUrl: string;
  let cast: Awaited<ReturnType<typeof aConsortiumWithMembers>>;
  let context: BrowserContext;
  let pageErrors: string[];

  beforeAll(async () => {
    browser = await launchChromium();
    test = await createTestApp({ ADMIN_UI_DIR: ADMIN_BROWSER_BUILD_DIR });
    await test.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = test.app.getHttpServer().address() as AddressInfo;
    baseUrl = `http://127.0.0.1:${port}`;
    cast = await aConsortiumWithMembers(test.dataSource);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await test?.close();
  });

  beforeEach(async () => {
    context = await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 800 } });
    pageErrors = [];
  });

  afterEach(async () => {
    await context.close();
    expect(pageErrors).toEqual([]);
  });

  async function aPage(): Promise<Page> {
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (error) => pageErrors.push(error.message));
    return page;
  }

  const storedSession = (page: Page) =>
    page.evaluate((key) => {
      const raw = sessionStorage.getItem(key);
      return raw ? (JSON.parse(raw) as StoredSession) : null;
    }, SESSION_KEY);

  const store = (page: Page, session: StoredSession) =>
    page.evaluate(([key, value]) => sessionStorage.setItem(key, value), [
      SESSION_KEY,
      JSON.stringify(session),
    ] as const);

  async function signIn(page: Page, email: string) {
    await page.goto(`${baseUrl}/`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByRole('textbox', { name: 'Email address' }).fill(email);
    await page.getByRole('textbox', { name: 'Password', exact: true }).fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: cast.home.name }).waitFor();
  }

  /** Waits until the page holds a refresh token other than `old`, and returns its session. */
  async function refreshedFrom(page: Page, old: string): Promise<StoredSession> {
    await page.waitForFunction(
      ([key, previous]) => {
        const raw = sessionStorage.getItem(key);
        return raw !== null && (JSON.parse(raw) as StoredSession).refreshToken !== previous;
      },
      [SESSION_KEY, old] as const,
    );
    return (await storedSession(page))!;
  }

  it('shows the sign-in page on the next request once the session was signed out elsewhere', async () => {
    const page = await aPage();
    await signIn(page, cast.homeUsers.viewer.email);
    const signedIn = (await storedSession(page))!;

    // Signed out from somewhere else: the access token this tab holds has not expired, but its session has ended.
    await test.http().post('/api/v1/auth/logout').send({ refreshToken: signedIn.refreshToken }).expect(204);
    await page.reload();

    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await expect(storedSession(page)).resolves.toBeNull();
  });

  it('keeps a duplicated tab signed in: the tab that refreshes hands the new pair to the other', async () => {
    const original = await aPage();
    await signIn(original, cast.homeUsers.finance.email);
    const copied = (await storedSession(original))!;
    // A duplicated tab starts with a copy of the original's sessionStorage (stored from a page of the origin that
    // does not run the app, which would sign the empty tab out meanwhile).
    const duplicate = await aPage();
    await duplicate.goto(`${baseUrl}/api/v1/health`);
    await store(duplicate, copied);
    await duplicate.goto(`${baseUrl}/`);
    await duplicate.getByRole('heading', { name: cast.home.name }).waitFor();

    // The original refreshes (its access token about to expire); the duplicate takes the pair it got.
    await store(original, { ...copied, accessTokenExpiresAt: Date.now() + 1_000 });
    await original.reload();
    const rotated = await refreshedFrom(original, copied.refreshToken);
    const adopted = await refreshedFrom(duplicate, copied.refreshToken);
    expect(adopted.refreshToken).toBe(rotated.refreshToken);

    // Long after the grace period, the duplicate refreshes too: with the token it was handed, not the used one.
    await test.dataSource.query(
      `UPDATE refresh_tokens SET replaced_at = replaced_at - interval '1 hour' WHERE token_hash = $1`,
      [sha256(copied.refreshToken)],
    );
    await store(duplicate, { ...adopted, accessTokenExpiresAt: Date.now() + 1_000 });
    await duplicate.reload();
    await refreshedFrom(duplicate, adopted.refreshToken);

    await duplicate.getByRole('heading', { name: cast.home.name }).waitFor();
    const [session] = await test.dataSource.query(
      'SELECT s.revoked_at FROM sessions s JOIN refresh_tokens t ON t.family_id = s.id WHERE t.token_hash = $1',
      [sha256(copied.refreshToken)],
    );
    expect(session.revoked_at).toBeNull();
  });
});
