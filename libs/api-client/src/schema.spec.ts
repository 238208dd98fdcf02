import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const WORKSPACE = join(__dirname, '..', '..', '..');
const OPENAPI = join(WORKSPACE, 'apps', 'api', 'openapi.json');
const COMMITTED = join(__dirname, 'schema.d.ts');
const CLI = join(WORKSPACE, 'node_modules', 'openapi-typescript', 'bin', 'cli.js');
/** The same options as `npm run client:generate` (package.json). */
const OPTIONS = ['--root-types', '--root-types-no-schema-prefix'];

describe('the typed API client', () => {
  it('is generated from the committed apps/api/openapi.json (npm run client:generate regenerates it)', () => {
    const scripts = JSON.parse(readFileSync(join(WORKSPACE, 'package.json'), 'utf8')).scripts;
    expect(scripts['client:generate']).toBe(
      `openapi-typescript apps/api/openapi.json -o libs/api-client/src/schema.d.ts ${OPTIONS.join(' ')}`,
    );
    const dir = mkdtempSync(join(tmpdir(), 'api-client-'));
    try {
      const generated = join(dir, 'schema.d.ts');
      execFileSync(process.execPath, [CLI, OPENAPI, '-o', generated, ...OPTIONS], {
        cwd: WORKSPACE,
        stdio: 'pipe',
      });
      const upToDate = readFileSync(COMMITTED, 'utf8') === readFileSync(generated, 'utf8');
      expect(upToDate ? 'up to date' : 'stale: run `npm run client:generate` and commit schema.d.ts').toBe(
        'up to date',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
