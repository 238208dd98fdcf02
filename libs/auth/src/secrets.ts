import { hash, verify, Algorithm } from '@node-rs/argon2';
import { createHash, createSecretKey, type KeyObject, randomBytes, timingSafeEqual } from 'node:crypto';

// OWASP's argon2id baseline: 19 MiB, 2 iterations, 1 lane.
const ARGON2_OPTIONS = { algorithm: Algorithm.Argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

/** The shortest password accepted anywhere (users, first administrators, the CLI's superadmin). */
export const MIN_PASSWORD_LENGTH = 12;

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_OPTIONS);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

/** A hash computed on every unknown email too, so response time does not reveal which emails exist. */
let decoyHash: Promise<string> | undefined;
export async function burnPasswordCheck(password: string): Promise<void> {
  decoyHash ??= hashPassword('decoy-password-for-timing');
  await verifyPassword(await decoyHash, password);
}

/** High-entropy tokens (refresh tokens, API key secrets) need no slow hash: SHA-256 is enough and fast per request. */
export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/**
 * The access-token signing key as a key object, built once: given a string, jsonwebtoken first tries
 * createPublicKey on every sign and verify (which throws) before it falls back to a secret key.
 */
export function accessTokenKey(secret: string): KeyObject {
  return createSecretKey(Buffer.from(secret, 'utf8'));
}

export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

const API_KEY_PATTERN = /^csk_([A-Za-z0-9]{10})_([A-Za-z0-9_-]{43})$/;

/** An API key is `csk_<prefix>_<secret>`: the prefix finds the key, the secret proves it. */
export function generateApiKey(): { key: string; prefix: string; secretHash: string } {
  const prefix = randomBytes(16).toString('hex').slice(0, 10);
  const secret = randomToken(32);
  return { key: `csk_${prefix}_${secret}`, prefix, secretHash: sha256(secret) };
}

export function parseApiKey(key: string): { prefix: string; secret: string } | null {
  const match = API_KEY_PATTERN.exec(key.trim());
  return match ? { prefix: match[1], secret: match[2] } : null;
}
