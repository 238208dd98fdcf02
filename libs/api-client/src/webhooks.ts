/**
 * Webhook signatures, as the API sends them:
 * `Consortium-Signature: t=<unix seconds>,v1=<lowercase hex HMAC-SHA256(secret, "<t>.<raw body>")>`.
 * While an endpoint's secret is being rotated the header carries one `v1=` per secret; any one matching is enough.
 * Web Crypto only, so the same code verifies in Node 20+ and in browsers or edge runtimes.
 */
export const SIGNATURE_HEADER = 'Consortium-Signature';
export const EVENT_ID_HEADER = 'Consortium-Event-Id';
export const EVENT_TYPE_HEADER = 'Consortium-Event-Type';
export const DELIVERY_ID_HEADER = 'Consortium-Delivery-Id';

/** Receivers refuse a signature made longer ago (or further ahead) than this: a replayed capture stops working. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

export interface VerifyOptions {
  toleranceSeconds?: number;
  /** The current time (a Date or epoch milliseconds); defaults to the clock. */
  now?: Date | number;
}

const encoder = new TextEncoder();

// The return type is left to inference: CryptoKey is a DOM type, webcrypto.CryptoKey in Node's typings.
function hmacKey(secret: string, usage: 'sign' | 'verify') {
  return globalThis.crypto.subtle.importKey(
    'raw',
    encoder.encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    [usage],
  );
}

function signedContent(timestamp: number, rawBody: string | Uint8Array): Uint8Array<ArrayBuffer> {
  const prefix = encoder.encode(`${timestamp}.`);
  const body = typeof rawBody === 'string' ? encoder.encode(rawBody) : rawBody;
  const content = new Uint8Array(prefix.length + body.length);
  content.set(prefix);
  content.set(body, prefix.length);
  return content;
}

function fromHex(hex: string): Uint8Array<ArrayBuffer> | null {
  if (!/^[0-9a-f]{64}$/.test(hex)) return null;
  const bytes = new Uint8Array(32);
  for (let i = 0; i < 32; i++) bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

function parseHeader(header: string): { timestamp: number; signatures: Uint8Array<ArrayBuffer>[] } | null {
  let timestamp: number | undefined;
  const signatures: Uint8Array<ArrayBuffer>[] = [];
  for (const part of header.split(',')) {
    const [name, value = ''] = part.trim().split('=', 2);
    if (name === 't' && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    if (name === 'v1') {
      const bytes = fromHex(value);
      if (bytes) signatures.push(bytes);
    }
  }
  return timestamp === undefined || signatures.length === 0 ? null : { timestamp, signatures };
}

/**
 * Whether a delivery really comes from the API: the header names a timestamp within `toleranceSeconds` of now and
 * at least one `v1` signature of "<t>.<raw body>" under `secret`. Pass the body exactly as received (before any
 * JSON parsing). The comparison is constant-time (Web Crypto's HMAC verify).
 */
export async function verifyWebhookSignature(
  secret: string,
  header: string | null | undefined,
  rawBody: string | Uint8Array,
  { toleranceSeconds = DEFAULT_TOLERANCE_SECONDS, now = Date.now() }: VerifyOptions = {},
): Promise<boolean> {
  const parsed = header ? parseHeader(header) : null;
  if (!parsed) return false;
  const nowSeconds = Math.floor(Number(now) / 1000);
  if (Math.abs(nowSeconds - parsed.timestamp) > toleranceSeconds) return false;
  const key = await hmacKey(secret, 'verify');
  const content = signedContent(parsed.timestamp, rawBody);
  for (const signature of parsed.signatures) {
    if (await globalThis.crypto.subtle.verify('HMAC', key, signature, content)) return true;
  }
  return false;
}

/**
 * The `Consortium-Signature` header value for a body, as the API computes it: for testing a receiver.
 * `timestamp` is in unix seconds and defaults to now.
 */
export async function signWebhookPayload(
  secret: string,
  rawBody: string | Uint8Array,
  timestamp = Math.floor(Date.now() / 1000),
): Promise<string> {
  const key = await hmacKey(secret, 'sign');
  const mac = new Uint8Array(
    await globalThis.crypto.subtle.sign('HMAC', key, signedContent(timestamp, rawBody)),
  );
  const hex = Array.from(mac, (byte) => byte.toString(16).padStart(2, '0')).join('');
  return `t=${timestamp},v1=${hex}`;
}

/** The event types an endpoint can subscribe to. */
export const WEBHOOK_EVENT_TYPES = [
  'subscription.requested',
  'subscription.approved',
  'subscription.ended',
  'cross_charge.issued',
  'cross_charge.approved',
  'cross_charge.disputed',
  'cross_charge.credited',
  'period.closed',
  'settlement.recorded',
  'certificate.expiring',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** The body of a delivery. Delivery is at least once: de-duplicate on `id`. */
export interface WebhookEvent<Data = Record<string, unknown>> {
  id: string;
  type: WebhookEventType;
  /** ISO 8601 */
  occurredAt: string;
  organisationId: string;
  consortiumId: string | null;
  data: Data;
}
