import { join } from 'node:path';

const WORKSPACE = join(__dirname, '..', '..', '..', '..');

/** Where the browser tests build the admin UI (git-ignored tmp/, so dist/ stays what `npm start` built). */
export const ADMIN_BROWSER_BUILD_DIR = join(WORKSPACE, 'tmp', 'admin-browser', 'ui');
/** Screenshots of the screens the browser tests visit, for people to look at. */
export const SCREENSHOT_DIR = join(WORKSPACE, 'tmp', 'admin-browser', 'screenshots');
