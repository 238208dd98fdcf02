import { createHmac } from 'node:crypto';
import { signWebhookPayload, verifyWebhookSignature } from './webhooks';

const SECRET = 'whsec_0f7d3a9c2b8e4d1f6a5c7e9b0d2f4a6c';
const BODY = JSON.stringify({
  id: 'evt_1',
  type: 'cross_charge.issued',
  occurredAt: '2026-12-01T09:00:00.000Z',
  organisationId: '6a1f0c1e-2d5b-4c3a-9e8f-7b6a5c4d3e2f',
  consortiumId: '0b9c8d7e-6f5a-4b3c-8d2e-1f0a9b8c7d6e',
  data: { crossChargeId: 'c0ffee00-0000-4000-8000-000000000001', amountMinor: '125000' },
});
const T = 1_796_115_600; // 2026-12-01T09:00:00Z
const NOW = T * 1000;

/** The signature exactly as the contract defines it, computed independently with Node's crypto. */
const v1 = (secret: string, timestamp: number, body: string) =>
  createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');

describe('verifyWebhookSignature', () => {
  it('accepts a delivery signed with the endpoint secret over "<t>.<raw body>"', async () => {
    const header = `t=${T},v1=${v1(SECRET, T, BODY)}`;
    await expect(verifyWebhookSignature(SECRET, header, BODY, { now: NOW })).resolves.toBe(true);
    await expect(
      verifyWebhookSignature(SECRET, header, new TextEncoder().encode(BODY), { now: NOW }),
    ).resolves.toBe(true);
  });

  it('rejects a body changed after signing', async () => {
    const header = `t=${T},v1=${v1(SECRET, T, BODY)}`;
    const tampered = BODY.replace('125000', '925000');
    await expect(verifyWebhookSignature(SECRET, header, tampered, { now: NOW })).resolves.toBe(false);
  });

  it('rejects a signature made with another secret', async () => {
    const header = `t=${T},v1=${v1('whsec_someone-else', T, BODY)}`;
    await expect(verifyWebhookSignature(SECRET, header, BODY, { now: NOW })).resolves.toBe(false);
  });

  it('rejects a timestamp changed after signing', async () => {
    const header = `t=${T + 1},v1=${v1(SECRET, T, BODY)}`;
    await expect(verifyWebhookSignature(SECRET, header, BODY, { now: NOW })).resolves.toBe(false);
  });

  it('rejects a timestamp more than 300 seconds from now, either way, and honours another tolerance', async () => {
    const header = `t=${T},v1=${v1(SECRET, T, BODY)}`;
    const at = (seconds: number) => ({ now: NOW + seconds * 1000 });
    await expect(verifyWebhookSignature(SECRET, header, BODY, at(300))).resolves.toBe(true);
    await expect(verifyWebhookSignature(SECRET, header, BODY, at(301))).resolves.toBe(false);
    await expect(verifyWebhookSignature(SECRET, header, BODY, at(-301))).resolves.toBe(false);
    await expect(
      verifyWebhookSignature(SECRET, header, BODY, { ...at(301), toleranceSeconds: 600 }),
    ).resolves.toBe(true);
  });

  it('accepts any one of several v1 signatures, as sent while the secret is rotated', async () => {
    const previous = 'whsec_previous-secret';
    const header = `t=${T},v1=${v1(previous, T, BODY)},v1=${v1(SECRET, T, BODY)}`;
    await expect(verifyWebhookSignature(SECRET, header, BODY, { now: NOW })).resolves.toBe(true);
    await expect(verifyWebhookSignature(previous, header, BODY, { now: NOW })).resolves.toBe(true);
    await expect(verifyWebhookSignature('whsec_neither', header, BODY, { now: NOW })).resolves.toBe(false);
  });

  it.each([
    ['no header', undefined],
    ['an empty header', ''],
    ['no timestamp', `v1=${v1(SECRET, T, BODY)}`],
    ['no signature', `t=${T}`],
    ['a signature that is not 64 lowercase hex digits', `t=${T},v1=${v1(SECRET, T, BODY).toUpperCase()}`],
    ['a timestamp that is not a number', `t=soon,v1=${v1(SECRET, T, BODY)}`],
  ])('rejects %s', async (_case, header) => {
    await expect(verifyWebhookSignature(SECRET, header, BODY, { now: NOW })).resolves.toBe(false);
  });
});

describe('signWebhookPayload', () => {
  it('makes the header the contract describes, which verifies', async () => {
    const header = await signWebhookPayload(SECRET, BODY, T);
    expect(header).toBe(`t=${T},v1=${v1(SECRET, T, BODY)}`);
    await expect(verifyWebhookSignature(SECRET, header, BODY, { now: NOW })).resolves.toBe(true);
  });
});
