import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ADMIN_BROWSER_BUILD_DIR } from './paths';

const WORKSPACE = join(__dirname, '..', '..', '..', '..');

/** jest globalSetup of the admin-browser project: builds the admin UI the tests serve, once per run. */
export default function buildAdmin(): void {
  const started = Date.now();
  const build = spawnSync(
    process.execPath,
    [
      join(WORKSPACE, 'node_modules', 'vite', 'bin', 'vite.js'),
      'build',
      '--config',
      join(WORKSPACE, 'apps', 'admin', 'vite.config.mts'),
      '--outDir',
      ADMIN_BROWSER_BUILD_DIR,
      '--emptyOutDir',
      '--logLevel',
      'warn',
    ],
    { cwd: WORKSPACE, encoding: 'utf8' },
  );
  if (build.status !== 0) {
    throw new Error(`Building the admin UI failed:\n${build.stdout}\n${build.stderr}`);
  }
  console.log(`Admin UI built for the browser tests in ${Date.now() - started} ms`);
}
