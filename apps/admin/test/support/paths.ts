import { join } from 'node:path';

const WORKSPACE = join(__dirname, '..', '..', '..', '..');

/** The git-ignored folder of the browser tests (so dist/ stays what `npm start` built). */
export const ADMIN_BROWSER_DIR = join(WORKSPACE, 'tmp', 'admin-browser');

/**
 * Where this jest run built the admin UI: a folder per run (build-admin.ts names it in the environment the
 * workers inherit), so two runs at once never serve each other's half-written build.
 */
export const ADMIN_BROWSER_BUILD_DIR = process.env.ADMIN_BROWSER_BUILD_DIR ?? join(ADMIN_BROWSER_DIR, 'ui');
/** Screenshots of the screens the browser tests visit, for people to look at. */
export const SCREENSHOT_DIR = join(ADMIN_BROWSER_DIR, 'screenshots');
