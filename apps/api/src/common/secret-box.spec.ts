import { SecretBox, UnreadableSecretError } from './secret-box';

const KEY = 'a-secrets-key-that-is-at-least-32-characters';

describe('SecretBox', () => {
  it('opens what it sealed, and the sealed form does not contain the secret', () => {
    const box = new SecretBox(KEY);
    const sealed = box.seal('whsec_abc123');
    expect(sealed).toMatch(/^enc1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(sealed).not.toContain('abc123');
    expect(box.open(sealed)).toBe('whsec_abc123');
  });

  it('seals the same secret differently each time (a fresh nonce)', () => {
    const box = new SecretBox(KEY);
    expect(box.seal('whsec_same')).not.toBe(box.seal('whsec_same'));
  });

  it('refuses a value sealed under another key, or altered', () => {
    const sealed = new SecretBox(KEY).seal('whsec_abc123');
    expect(() => new SecretBox(`${KEY}-other`).open(sealed)).toThrow(UnreadableSecretError);
    const altered = `${sealed.slice(0, -2)}${sealed.endsWith('AA') ? 'AB' : 'AA'}`;
    expect(() => new SecretBox(KEY).open(altered)).toThrow(UnreadableSecretError);
  });

  it('reads a value stored before secrets were sealed as it is', () => {
    expect(new SecretBox(KEY).open('whsec_written_in_clear')).toBe('whsec_written_in_clear');
  });
});
