import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/** Marks a sealed value (and its format: AES-256-GCM, then iv.tag.ciphertext in base64url). */
const SEALED = 'enc1.';

export class UnreadableSecretError extends Error {}

/**
 * Seals secrets the app must read back, such as webhook signing secrets (which cannot be hashed: each delivery is
 * signed with them), under SECRETS_KEY, so that a copy of the database alone does not reveal them. Values written
 * before sealing existed are read as they are.
 */
export class SecretBox {
  private readonly key: Buffer;

  constructor(secretsKey: string) {
    this.key = createHash('sha256').update(secretsKey, 'utf8').digest();
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const sealed = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return SEALED + [iv, cipher.getAuthTag(), sealed].map((part) => part.toString('base64url')).join('.');
  }

  open(stored: string): string {
    if (!stored.startsWith(SEALED)) return stored;
    const [iv, tag, sealed] = stored
      .slice(SEALED.length)
      .split('.')
      .map((part) => Buffer.from(part, 'base64url'));
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, iv);
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(sealed), decipher.final()]).toString('utf8');
    } catch {
      throw new UnreadableSecretError(
        'A stored secret could not be decrypted: SECRETS_KEY is not the key it was sealed with',
      );
    }
  }
}
