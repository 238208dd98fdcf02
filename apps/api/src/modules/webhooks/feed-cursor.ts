import { createCipheriv, createDecipheriv, createHmac, hkdfSync } from 'node:crypto';

const NONCE = 12;
const TAG = 16;
const POSITION = 8;

/**
 * The events feed's cursors. A cursor holds a position in the platform-wide feed order, which must not tell one
 * organisation how many events the whole platform has, nor be moved by hand, nor serve another organisation: the
 * position is sealed with AES-256-GCM under a key derived from SECRETS_KEY (HKDF, so it is never the key that seals
 * stored secrets), with the organisation's id as additional authenticated data. The nonce is an HMAC of what is
 * sealed (as in SIV), so one position always gives the same cursor to one organisation (a poll that finds nothing
 * hands back the cursor it was given) and a nonce never repeats for a different message.
 */
export class FeedCursors {
  private readonly encryptionKey: Buffer;
  private readonly nonceKey: Buffer;

  constructor(secretsKey: string) {
    const derive = (purpose: string) =>
      Buffer.from(hkdfSync('sha256', secretsKey, 'consortium-events-feed', purpose, 32));
    this.encryptionKey = derive('cursor encryption');
    this.nonceKey = derive('cursor nonce');
  }

  seal(organisationId: string, position: string): string {
    const plain = Buffer.alloc(POSITION);
    plain.writeBigUInt64BE(BigInt(position));
    const nonce = createHmac('sha256', this.nonceKey)
      .update(organisationId)
      .update(plain)
      .digest()
      .subarray(0, NONCE);
    const cipher = createCipheriv('aes-256-gcm', this.encryptionKey, nonce);
    cipher.setAAD(Buffer.from(organisationId, 'utf8'));
    const sealed = Buffer.concat([cipher.update(plain), cipher.final()]);
    return Buffer.concat([nonce, sealed, cipher.getAuthTag()]).toString('base64url');
  }

  /** The position, or null for a cursor this API did not issue to this organisation (forged, altered, another's). */
  open(organisationId: string, cursor: string): string | null {
    const bytes = Buffer.from(cursor, 'base64url');
    if (bytes.length !== NONCE + POSITION + TAG || bytes.toString('base64url') !== cursor) return null;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.encryptionKey, bytes.subarray(0, NONCE));
      decipher.setAAD(Buffer.from(organisationId, 'utf8'));
      decipher.setAuthTag(bytes.subarray(NONCE + POSITION));
      const plain = Buffer.concat([
        decipher.update(bytes.subarray(NONCE, NONCE + POSITION)),
        decipher.final(),
      ]);
      return plain.readBigUInt64BE().toString();
    } catch {
      return null;
    }
  }
}
