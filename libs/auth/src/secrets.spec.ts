import fc from 'fast-check';
import {
  accessTokenKey,
  burnPasswordCheck,
  constantTimeEqual,
  generateApiKey,
  hashPassword,
  parseApiKey,
  randomToken,
  sha256,
  verifyPassword,
} from './secrets';

describe('passwords', () => {
  let stored: string;
  beforeAll(async () => (stored = await hashPassword('correct-horse-battery-staple')));

  it('are hashed with argon2id and a salt of their own, never kept as given', async () => {
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(stored).not.toContain('correct-horse-battery-staple');
    expect(await hashPassword('correct-horse-battery-staple')).not.toBe(stored);
  });

  it('verify against their hash, and nothing else does', async () => {
    expect(await verifyPassword(stored, 'correct-horse-battery-staple')).toBe(true);
    expect(await verifyPassword(stored, 'correct-horse-battery-stapl')).toBe(false);
    expect(await verifyPassword(stored, 'Correct-horse-battery-staple')).toBe(false);
    expect(await verifyPassword(stored, '')).toBe(false);
  });

  it('fail to verify, rather than throw, against a hash that is not an argon2 hash', async () => {
    expect(await verifyPassword('not-a-hash', 'anything')).toBe(false);
    expect(await verifyPassword('', 'anything')).toBe(false);
  });

  it('are checked against a decoy hash for unknown emails, without failing', async () => {
    await expect(burnPasswordCheck('whatever')).resolves.toBeUndefined();
  });
});

describe('API keys', () => {
  it('read as csk_<prefix>_<secret>, and only the secret’s hash is kept', () => {
    const { key, prefix, secretHash } = generateApiKey();
    expect(key).toMatch(/^csk_[a-z0-9]{10}_[A-Za-z0-9_-]{43}$/);
    expect(key.startsWith(`csk_${prefix}_`)).toBe(true);
    expect(secretHash).toBe(sha256(key.slice(`csk_${prefix}_`.length)));
    expect(secretHash).not.toContain(key.slice(15));
  });

  it('parse back into the prefix and secret they were made from (round trip)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 50 }), () => {
        const { key, prefix, secretHash } = generateApiKey();
        const parsed = parseApiKey(key);
        expect(parsed).not.toBeNull();
        expect(parsed!.prefix).toBe(prefix);
        expect(sha256(parsed!.secret)).toBe(secretHash);
      }),
      { numRuns: 50 },
    );
  });

  it('are different every time', () => {
    const keys = Array.from({ length: 100 }, () => generateApiKey());
    expect(new Set(keys.map((k) => k.key)).size).toBe(100);
    expect(new Set(keys.map((k) => k.prefix)).size).toBe(100);
  });

  it('tolerate surrounding whitespace, as pasted into a header', () => {
    const { key, prefix } = generateApiKey();
    expect(parseApiKey(`  ${key}\n`)?.prefix).toBe(prefix);
  });

  it.each([
    ['an empty string', ''],
    ['another product’s prefix', 'sk_live_abcdefghij_' + 'a'.repeat(43)],
    ['the wrong marker', 'csx_abcdefghij_' + 'a'.repeat(43)],
    ['a short prefix', 'csk_abcdefghi_' + 'a'.repeat(43)],
    ['a long prefix', 'csk_abcdefghijk_' + 'a'.repeat(43)],
    ['a prefix with punctuation', 'csk_abcde-ghij_' + 'a'.repeat(43)],
    ['a short secret', 'csk_abcdefghij_' + 'a'.repeat(42)],
    ['a long secret', 'csk_abcdefghij_' + 'a'.repeat(44)],
    ['a secret with characters outside base64url', 'csk_abcdefghij_' + 'a'.repeat(42) + '+'],
    ['a key with a trailing part', 'csk_abcdefghij_' + 'a'.repeat(43) + '_extra'],
    ['a key without its secret', 'csk_abcdefghij'],
    ['a bearer token', 'Bearer eyJhbGciOiJIUzI1NiJ9.e30.abc'],
  ])('refuse %s', (_case, key) => {
    expect(parseApiKey(key)).toBeNull();
  });

  it('refuse a key that is changed anywhere, by its hash no longer matching', () => {
    const { key, secretHash } = generateApiKey();
    const last = key.at(-1) === 'A' ? 'B' : 'A';
    const tampered = parseApiKey(key.slice(0, -1) + last)!;
    expect(constantTimeEqual(sha256(tampered.secret), secretHash)).toBe(false);
  });
});

describe('the access-token key', () => {
  it('is a secret key object holding the secret’s bytes, so tokens signed with the string still verify', () => {
    const key = accessTokenKey('a-signing-key-long-enough-for-the-tests');
    expect(key.type).toBe('secret');
    expect(key.export().toString('utf8')).toBe('a-signing-key-long-enough-for-the-tests');
  });
});

describe('tokens and hashes', () => {
  it('hash with SHA-256, as hex', () => {
    expect(sha256('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('make random tokens of 256 bits, URL-safe', () => {
    const token = randomToken();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(randomToken()).not.toBe(token);
    expect(randomToken(16)).toHaveLength(22);
  });

  it('compare secrets in constant time, including ones of different lengths', () => {
    expect(constantTimeEqual('abc', 'abc')).toBe(true);
    expect(constantTimeEqual('abc', 'abd')).toBe(false);
    expect(constantTimeEqual('abc', 'abcd')).toBe(false);
    expect(constantTimeEqual('', '')).toBe(true);
  });
});
