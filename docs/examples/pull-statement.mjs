#!/usr/bin/env node
// Downloads your organisation's statement for a billing period as CSV (an API key with charges:read).
//
//   CONSORTIUM_API_URL=http://localhost:3000/api/v1 CONSORTIUM_API_KEY=csk_… \
//   CONSORTIUM_ID=… BILLING_PERIOD_ID=… node docs/examples/pull-statement.mjs > statement.csv
const { CONSORTIUM_API_URL, CONSORTIUM_API_KEY, CONSORTIUM_ID, BILLING_PERIOD_ID } = process.env;
if (!CONSORTIUM_API_URL || !CONSORTIUM_API_KEY || !CONSORTIUM_ID || !BILLING_PERIOD_ID) {
  console.error('Set CONSORTIUM_API_URL, CONSORTIUM_API_KEY, CONSORTIUM_ID and BILLING_PERIOD_ID');
  process.exit(2);
}

const query = new URLSearchParams({
  consortiumId: CONSORTIUM_ID,
  billingPeriodId: BILLING_PERIOD_ID,
  format: 'csv',
});
const response = await fetch(`${CONSORTIUM_API_URL}/statements?${query}`, {
  headers: { 'x-api-key': CONSORTIUM_API_KEY },
});
if (!response.ok) {
  const problem = await response.json();
  console.error(
    `${response.status} ${problem.type}: ${problem.detail ?? problem.title} (request ${problem.requestId})`,
  );
  process.exit(1);
}
process.stdout.write(await response.text());
