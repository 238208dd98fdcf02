#!/usr/bin/env node
// `npm start`: builds the API and the admin UI (Nx caches unchanged builds), then runs the API, which serves the UI.
// Without DATABASE_URL the API starts an embedded PostgreSQL with its data in .data/ (see the README).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' };
const projects = ['api', ...(existsSync('apps/admin/project.json') ? ['admin'] : [])];
console.log(`[start] Building ${projects.join(' and ')}…`);
const build = spawnSync(
  'npx',
  ['nx', 'run-many', '-t', 'build', `--projects=${projects.join(',')}`, '--outputStyle=static'],
  {
    stdio: 'inherit',
    env,
  },
);
if (build.status !== 0) process.exit(build.status ?? 1);

const api = spawn(process.execPath, ['--enable-source-maps', 'dist/apps/api/main.js'], {
  stdio: 'inherit',
  env: process.env,
});
// Ctrl-C reaches the API through the terminal; the API stops the embedded database and exits, and so do we.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (signal === 'SIGTERM') api.kill('SIGTERM');
  });
}
api.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
