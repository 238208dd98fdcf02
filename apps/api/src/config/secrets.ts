import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Environment } from './environment';

/**
 * A key kept in the data folder for the zero-setup start: generated on first use, then read back so that it
 * survives restarts. Created exclusively, so processes starting together all end up with the one that was written.
 */
function dataFolderKey(env: Environment, name: string): string {
  const dir = resolve(env.DATA_DIR);
  const file = join(dir, name);
  mkdirSync(dir, { recursive: true });
  try {
    writeFileSync(file, randomBytes(48).toString('base64url'), { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return readFileSync(file, 'utf8').trim();
}

/**
 * The JWT signing key comes from JWT_SECRET. Outside production, the zero-setup start generates one once and keeps
 * it in the data folder so sessions survive restarts. (Production refuses to start without one: see loadEnvironment.)
 */
export function resolveJwtSecret(env: Environment): string {
  return env.JWT_SECRET ?? dataFolderKey(env, 'jwt-secret');
}

/**
 * The key that seals stored secrets (webhook signing secrets) comes from SECRETS_KEY; outside production it is
 * generated into the data folder like the JWT key. Losing it means rotating every webhook secret.
 */
export function resolveSecretsKey(env: Environment): string {
  return env.SECRETS_KEY ?? dataFolderKey(env, 'secrets-key');
}
