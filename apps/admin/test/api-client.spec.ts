import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const WORKSPACE = join(__dirname, '..', '..', '..');
const OPENAPI = join(WORKSPACE, 'apps', 'api', 'openapi.json');
const COMMITTED = join(WORKSPACE, 'apps', 'admin', 'src', 'api', 'schema.d.ts');
const CLI = join(WORKSPACE, 'node_modules', 'openapi-typescript', 'bin', 'cli.js');

describe('the admin UI API client', () => {
  it('is generated from the committed apps/api/openapi.json (npm run client:generate regenerates it)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'admin-client-'));
    try {
      const generated = join(dir, 'schema.d.ts');
      execFileSync(process.execPath, [CLI, OPENAPI, '-o', generated], { cwd: WORKSPACE, stdio: 'pipe' });
      const upToDate = readFileSync(COMMITTED, 'utf8') === readFileSync(generated, 'utf8');
      expect(upToDate ? 'up to date' : 'stale: run `npm run client:generate` and commit schema.d.ts').toBe(
        'up to date',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
