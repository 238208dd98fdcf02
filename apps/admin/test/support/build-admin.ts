import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ADMIN_BROWSER_DIR } from './paths';

const WORKSPACE = join(__dirname, '..', '..', '..', '..');

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Builds left by earlier runs whose jest process has ended. */
function removeFinishedBuilds(): void {
  if (!existsSync(ADMIN_BROWSER_DIR)) return;
  for (const name of readdirSync(ADMIN_BROWSER_DIR)) {
    const pid = /^ui-(\d+)$/.exec(name)?.[1];
    if (pid && !isRunning(Number(pid)))
      rmSync(join(ADMIN_BROWSER_DIR, name), { recursive: true, force: true });
  }
}

/** jest globalSetup of the admin-browser project: builds the admin UI the tests serve, once per run. */
export default function buildAdmin(): void {
  const started = Date.now();
  removeFinishedBuilds();
  const outDir = join(ADMIN_BROWSER_DIR, `ui-${process.pid}`);
  // The workers inherit the environment of jest's main process: paths.ts reads the folder from it.
  process.env.ADMIN_BROWSER_BUILD_DIR = outDir;
  const build = spawnSync(
    process.execPath,
    [
      join(WORKSPACE, 'node_modules', 'vite', 'bin', 'vite.js'),
      'build',
      '--config',
      join(WORKSPACE, 'apps', 'admin', 'vite.config.mts'),
      '--outDir',
      outDir,
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
