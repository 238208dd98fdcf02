#!/usr/bin/env node
// Receives webhook deliveries and checks that each really comes from the marketplace.
//
//   PORT=4000 WEBHOOK_SECRET=whsec_… node docs/examples/webhook-receiver.mjs
//
// Register http(s)://<this host>:4000/ as the endpoint's URL. Prints one JSON line per verified event.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';

const PORT = Number(process.env.PORT ?? 4000);
const { WEBHOOK_SECRET } = process.env;
const TOLERANCE_SECONDS = 300;
if (!WEBHOOK_SECRET) {
  console.error('Set WEBHOOK_SECRET to the endpoint secret (whsec_…)');
  process.exit(2);
}

/**
 * Consortium-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>. During a secret rotation
 * there may be more than one v1; any match will do. Refuse timestamps more than 5 minutes off (replays).
 */
function verify(secret, header, rawBody, nowSeconds = Math.floor(Date.now() / 1000)) {
  const parts = String(header ?? '')
    .split(',')
    .map((part) => part.trim().split('='));
  const t = Number(parts.find(([name]) => name === 't')?.[1]);
  if (!Number.isInteger(t) || Math.abs(nowSeconds - t) > TOLERANCE_SECONDS) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${rawBody}`).digest();
  return parts
    .filter(([name, value]) => name === 'v1' && /^[0-9a-f]{64}$/.test(value ?? ''))
    .some(([, value]) => timingSafeEqual(Buffer.from(value, 'hex'), expected));
}

// Deliveries are at least once: the same event may come twice (a retry, a redelivery). Keep the ids you have
// processed (in your database, in real life) and acknowledge repeats without acting on them again.
const seen = new Set();

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const rawBody = Buffer.concat(chunks).toString('utf8');
    if (!verify(WEBHOOK_SECRET, req.headers['consortium-signature'], rawBody)) {
      console.error(`rejected a delivery with a bad signature (${req.headers['consortium-delivery-id']})`);
      res.writeHead(400).end();
      return;
    }
    const event = JSON.parse(rawBody);
    if (!seen.has(event.id)) {
      seen.add(event.id);
      console.log(JSON.stringify({ verified: true, id: event.id, type: event.type, data: event.data }));
    }
    // Answer 2xx quickly; anything else (or no answer in 10 s) is retried with backoff.
    res.writeHead(204).end();
  });
});
server.listen(PORT, () => console.error(`listening on ${PORT}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
