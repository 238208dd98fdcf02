/**
 * What the API's database role (DATABASE_URL) may do to each table in `public`: the one place these decisions
 * live. After every migration the owner role (MIGRATION_DATABASE_URL) grants exactly this and revokes anything
 * else (database/app-role-grants.ts), and migrating stops on a table that is missing here, so a new table is
 * never silently unreadable or over-granted. Grant only what the code does: a privilege the code never uses is
 * one an attacker with the API's connection could.
 *
 * The role never gets TRUNCATE, REFERENCES, TRIGGER or any DDL, owns nothing and cannot bypass row-level
 * security. Triggers still guard the append-only tables and the allowed changes, even against the owner.
 */
export type TablePrivilege = 'SELECT' | 'INSERT' | 'UPDATE' | 'DELETE';

/** Written once and kept: the code reads and adds rows, never changes or removes one. */
const APPEND_ONLY = ['SELECT', 'INSERT'] as const;
/** Rows that change over their life (statuses, timestamps, counters) but are never deleted. */
const UPDATED = ['SELECT', 'INSERT', 'UPDATE'] as const;
/** Rows that are replaced (deleted and inserted again), never updated in place. */
const REPLACED = ['SELECT', 'INSERT', 'DELETE'] as const;
/** Working state that expires or is tidied away: counters, claims, delivery queues. */
const WORKING = ['SELECT', 'INSERT', 'UPDATE', 'DELETE'] as const;

export const APP_TABLE_PRIVILEGES: Readonly<Record<string, readonly TablePrivilege[]>> = {
  // The record of what happened. Triggers also refuse UPDATE, DELETE and TRUNCATE on most of these.
  audit_events: APPEND_ONLY,
  journal_entries: APPEND_ONLY,
  postings: APPEND_ONLY,
  // Linked by the commit trigger on journal_entries, which runs as the caller; the link trigger computes each row.
  journal_entry_hashes: APPEND_ONLY,
  // The verify-ledger command's results.
  ledger_verifications: APPEND_ONLY,
  // Kept by the postings trigger alone, which runs as the owner (SECURITY DEFINER): the API only reads balances.
  account_balances: ['SELECT'],
  // Kept by the usage_events triggers alone, which run as the owner (SECURITY DEFINER): the API reads totals to
  // judge the per-period usage limit, and never needs to write one.
  usage_period_totals: ['SELECT'],
  ledger_accounts: APPEND_ONLY,
  credit_notes: APPEND_ONLY,
  member_positions: APPEND_ONLY,
  charge_comments: APPEND_ONLY,
  price_versions: APPEND_ONLY,
  subscription_events: APPEND_ONLY,
  // Deleted only by the cascade from webhook_deliveries, which PostgreSQL runs as the table's owner.
  webhook_delivery_attempts: APPEND_ONLY,

  organisations: UPDATED,
  users: UPDATED,
  sessions: UPDATED,
  refresh_tokens: UPDATED,
  api_keys: UPDATED,
  consortia: UPDATED,
  consortium_memberships: UPDATED,
  services: UPDATED,
  subscriptions: UPDATED,
  notifications: UPDATED,
  outbox_events: UPDATED,
  billing_periods: UPDATED,
  charge_runs: UPDATED,
  cross_charges: UPDATED,
  disputes: UPDATED,
  // Recording a payment sets its status and journal entry.
  settlement_payments: UPDATED,
  // Providers withdraw events; a trigger allows that one change (voided_at and its reason), once.
  usage_events: UPDATED,

  consortium_admins: REPLACED,
  compliance_attestations: REPLACED,
  // A quantity change supersedes the changes scheduled on or after its day.
  subscription_quantities: REPLACED,
  ledger_code_mappings: REPLACED,
  // Each charge run replaces a draft's lines; a trigger refuses the lines of a charge that has left draft.
  cross_charge_lines: REPLACED,

  idempotency_records: WORKING,
  rate_limit_counters: WORKING,
  sign_in_throttles: WORKING,
  webhook_endpoints: WORKING,
  webhook_deliveries: WORKING,

  // Read at start, so an instance without the owner's URL can tell whether the schema is current.
  schema_migrations: ['SELECT'],
};

/**
 * pg-boss keeps its queues in its own schema, created and upgraded by the owner when migrating. The app works
 * the jobs (every table: SELECT, INSERT, UPDATE, DELETE) and may create a queue, through pgboss.create_queue
 * running as the owner; it can change no table's definition.
 */
export const JOB_QUEUE_SCHEMA = 'pgboss';
export const JOB_QUEUE_TABLE_PRIVILEGES: readonly TablePrivilege[] = WORKING;
