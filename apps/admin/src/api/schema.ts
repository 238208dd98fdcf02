// The generated API types live in the shared client library (libs/api-client, `npm run client:generate`).
export type { components, operations, paths } from '@consortium/api-client';
