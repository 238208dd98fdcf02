import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Environment } from './environment';

/**
 * The JWT signing key comes from JWT_SECRET. Outside production, the zero-setup start generates one once and keeps
 * it in the data folder so sessions survive restarts. (Production refuses to start without one: see loadEnvironment.)
 */
export function resolveJwtSecret(env: Environment): string {
  if (env.JWT_SECRET) return env.JWT_SECRET;
  const dir = resolve(env.DATA_DIR);
  const file = join(dir, 'jwt-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dir, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}
