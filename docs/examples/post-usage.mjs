#!/usr/bin/env node
// Reports metered usage for one of your services' subscriptions (an API key with usage:write).
//
//   CONSORTIUM_API_URL=http://localhost:3000/api/v1 CONSORTIUM_API_KEY=csk_… \
//   SUBSCRIPTION_ID=… METRIC=storage_gb QUANTITY=12.5 node docs/examples/post-usage.mjs
//
// Each event carries your own id (EVENT_ID, here derived from the subscription, metric and hour): sending the
// same batch again is safe, the API answers "duplicate" and counts it once.
const { CONSORTIUM_API_URL, CONSORTIUM_API_KEY, SUBSCRIPTION_ID } = process.env;
const METRIC = process.env.METRIC ?? 'storage_gb';
const QUANTITY = process.env.QUANTITY ?? '1';
// The reading's time: by default the start of this hour, so a repeat within the hour is the same event.
const OCCURRED_AT = process.env.OCCURRED_AT ?? `${new Date().toISOString().slice(0, 13)}:00:00.000Z`;
const EVENT_ID = process.env.EVENT_ID ?? `${SUBSCRIPTION_ID}-${METRIC}-${OCCURRED_AT.slice(0, 13)}`;

if (!CONSORTIUM_API_URL || !CONSORTIUM_API_KEY || !SUBSCRIPTION_ID) {
  console.error('Set CONSORTIUM_API_URL, CONSORTIUM_API_KEY and SUBSCRIPTION_ID');
  process.exit(2);
}

/** POSTs JSON, waiting out a 429 as its Retry-After header says (up to three times). */
async function post(path, body) {
  for (let attempt = 1; ; attempt += 1) {
    const response = await fetch(`${CONSORTIUM_API_URL}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': CONSORTIUM_API_KEY },
      body: JSON.stringify(body),
    });
    if (response.status !== 429 || attempt === 3) return response;
    const seconds = Number(response.headers.get('retry-after') ?? '1');
    console.error(`Rate limited: waiting ${seconds} s`);
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  }
}

const response = await post('/usage-events', {
  events: [
    {
      eventId: EVENT_ID,
      subscriptionId: SUBSCRIPTION_ID,
      metric: METRIC,
      quantity: QUANTITY,
      occurredAt: OCCURRED_AT,
    },
  ],
});
const result = await response.json();
if (!response.ok) {
  // Errors are RFC 9457 problem documents: a stable `type`, a `detail`, field `errors` and the `requestId`.
  console.error(
    `${response.status} ${result.type}: ${result.detail ?? result.title} (request ${result.requestId})`,
  );
  process.exit(1);
}
console.log(`accepted ${result.accepted}, duplicates ${result.duplicates}, rejected ${result.rejected}`);
for (const event of result.results) {
  console.log(`${event.eventId}: ${event.status}${event.code ? ` (${event.code}: ${event.reason})` : ''}`);
}
process.exit(result.rejected > 0 ? 1 : 0);
