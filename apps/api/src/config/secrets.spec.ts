import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEnvironment } from './environment';
import { resolveJwtSecret, resolveSecretsKey } from './secrets';

describe('resolveJwtSecret', () => {
  it('uses JWT_SECRET when it is configured', () => {
    const env = loadEnvironment({
      JWT_SECRET: 's'.repeat(40),
      DATA_DIR: mkdtempSync(join(tmpdir(), 'secret-')),
    });
    expect(resolveJwtSecret(env)).toBe('s'.repeat(40));
  });

  it('generates a key once in the data folder and reuses it after a restart', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'secret-'));
    const first = resolveJwtSecret(loadEnvironment({ DATA_DIR: dataDir }));
    const second = resolveJwtSecret(loadEnvironment({ DATA_DIR: dataDir }));
    expect(first.length).toBeGreaterThanOrEqual(48);
    expect(second).toBe(first);
    expect(readFileSync(join(dataDir, 'jwt-secret'), 'utf8')).toBe(first);
    expect(statSync(join(dataDir, 'jwt-secret')).mode & 0o077).toBe(0);
  });
});

describe('resolveSecretsKey', () => {
  it('uses SECRETS_KEY when it is configured', () => {
    const env = loadEnvironment({
      SECRETS_KEY: 'k'.repeat(40),
      DATA_DIR: mkdtempSync(join(tmpdir(), 'secret-')),
    });
    expect(resolveSecretsKey(env)).toBe('k'.repeat(40));
  });

  it('generates its own key in the data folder, apart from the JWT key, and reuses it after a restart', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'secret-'));
    const env = loadEnvironment({ DATA_DIR: dataDir });
    const first = resolveSecretsKey(env);
    expect(resolveSecretsKey(loadEnvironment({ DATA_DIR: dataDir }))).toBe(first);
    expect(first).not.toBe(resolveJwtSecret(env));
    expect(readFileSync(join(dataDir, 'secrets-key'), 'utf8')).toBe(first);
    expect(statSync(join(dataDir, 'secrets-key')).mode & 0o077).toBe(0);
  });
});
