import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  validateSync,
} from 'class-validator';
import { parseNetworks } from './networks';

/** Every setting the API reads from the environment, validated once at start. */
export class Environment {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @Transform(({ value }) => (value === undefined || value === '' ? 3000 : Number(value)))
  @IsInt()
  @Min(1)
  @Max(65535)
  PORT = 3000;

  /** The API's role: a login role that owns nothing (docs/operations.md, "Database roles"). */
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'DATABASE_URL must be a postgres:// connection URL' })
  DATABASE_URL?: string;

  /**
   * The owner role, which runs the migrations and grants DATABASE_URL's role what it needs. Unset: DATABASE_URL
   * outside production; in production an instance without it only checks that the schema is current.
   */
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/\S+$/, {
    message: 'MIGRATION_DATABASE_URL must be a postgres:// connection URL',
  })
  MIGRATION_DATABASE_URL?: string;

  /** Where the zero-setup start keeps the embedded PostgreSQL data and the generated secrets. */
  @IsString()
  DATA_DIR = '.data';

  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'JWT_SECRET must be at least 32 characters long' })
  JWT_SECRET?: string;

  /** Seals the secrets the app stores and must read back (webhook signing secrets). The same on every instance. */
  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'SECRETS_KEY must be at least 32 characters long' })
  SECRETS_KEY?: string;

  @Transform(({ value }) => (value === undefined || value === '' ? 900 : Number(value)))
  @IsInt()
  @Min(30)
  @Max(86_400)
  ACCESS_TOKEN_TTL_SECONDS = 900;

  @Transform(({ value }) => (value === undefined || value === '' ? 30 : Number(value)))
  @IsInt()
  @Min(1)
  @Max(365)
  REFRESH_TOKEN_TTL_DAYS = 30;

  /**
   * Seconds after a refresh token is rotated during which it may be presented again (a retried refresh whose answer
   * was lost, two tabs sharing one session) and still yields a new pair instead of ending the session; 0 is strict.
   */
  @Transform(({ value }) => (value === undefined || value === '' ? 30 : Number(value)))
  @IsInt()
  @Min(0)
  @Max(300)
  REFRESH_TOKEN_REUSE_GRACE_SECONDS = 30;

  /**
   * Failed sign-ins of one email from one client address (an IPv6 /64) before each further attempt from there
   * must wait; the email signs in from anywhere else as usual. Nothing locks an account.
   */
  @Transform(({ value }) => (value === undefined || value === '' ? 5 : Number(value)))
  @IsInt()
  @Min(1)
  @Max(1000)
  SIGN_IN_FAILURES_BEFORE_DELAY = 5;

  /** Failed sign-ins from one client address, whatever the emails, before each further attempt must wait. */
  @Transform(({ value }) => (value === undefined || value === '' ? 30 : Number(value)))
  @IsInt()
  @Min(1)
  @Max(100_000)
  SIGN_IN_ADDRESS_FAILURES_BEFORE_DELAY = 30;

  /** The first wait once the free failures are used up; each further failure doubles it. */
  @Transform(({ value }) => (value === undefined || value === '' ? 1 : Number(value)))
  @IsInt()
  @Min(1)
  @Max(86_400)
  SIGN_IN_FIRST_DELAY_SECONDS = 1;

  /** The longest wait between two attempts of a throttled email and address (or address). */
  @Transform(({ value }) => (value === undefined || value === '' ? 900 : Number(value)))
  @IsInt()
  @Min(1)
  @Max(86_400)
  SIGN_IN_MAX_DELAY_SECONDS = 900;

  /**
   * Failed sign-ins of one account, from anywhere, within a day, at which its organisation is told (a notification
   * and an audit event), and again each time the count doubles.
   */
  @Transform(({ value }) => (value === undefined || value === '' ? 10 : Number(value)))
  @IsInt()
  @Min(1)
  @Max(100_000)
  SIGN_IN_ALERT_AFTER_FAILURES = 10;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  /** Load the demo consortium into an empty database at start. Off by default in production. */
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : value === 'true'))
  @IsOptional()
  @IsBoolean()
  SEED_DEMO_DATA?: boolean;

  /**
   * Which proxies may set X-Forwarded-For (the client address used by the sign-in rate limit): `loopback` by
   * default, a comma-separated list of addresses or subnets, `true` behind a trusted load balancer, or `false`.
   */
  @IsString()
  TRUST_PROXY = 'loopback';

  /** Length of the rate-limit window in seconds: each limit below counts requests per window. */
  @Transform(({ value }) => (value === undefined || value === '' ? 60 : Number(value)))
  @IsInt()
  @Min(1)
  @Max(86_400)
  RATE_LIMIT_WINDOW_SECONDS = 60;

  /** Requests per window allowed for each API key (counted across all instances); 0 disables the limit. */
  @Transform(({ value }) => (value === undefined || value === '' ? 6000 : Number(value)))
  @IsInt()
  @Min(0)
  RATE_LIMIT_API_KEY_REQUESTS = 6000;

  /** Requests per window allowed for each signed-in user; 0 disables the limit. */
  @Transform(({ value }) => (value === undefined || value === '' ? 1200 : Number(value)))
  @IsInt()
  @Min(0)
  RATE_LIMIT_USER_REQUESTS = 1200;

  /** Requests per window for each client address on anonymous endpoints (sign-in has its own limit); 0 disables. */
  @Transform(({ value }) => (value === undefined || value === '' ? 300 : Number(value)))
  @IsInt()
  @Min(0)
  RATE_LIMIT_ANONYMOUS_REQUESTS = 300;

  /**
   * Whether this instance sends webhooks (and runs the daily certificate expiry check). On by default except in
   * tests, which drive the worker themselves; every instance may run it, the database hands out the work.
   */
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : value === 'true'))
  @IsOptional()
  @IsBoolean()
  WEBHOOK_WORKER?: boolean;

  /** How often the webhook worker looks for new events and due deliveries. */
  @Transform(({ value }) => (value === undefined || value === '' ? 1000 : Number(value)))
  @IsInt()
  @Min(10)
  WEBHOOK_POLL_INTERVAL_MS = 1000;

  /** How long an endpoint has to answer a delivery. */
  @Transform(({ value }) => (value === undefined || value === '' ? 10_000 : Number(value)))
  @IsInt()
  @Min(100)
  @Max(60_000)
  WEBHOOK_TIMEOUT_MS = 10_000;

  /**
   * Networks webhooks may reach although they are not public (loopback, private, link-local, unique-local…):
   * comma-separated, e.g. `10.20.0.0/16,fd00:1::/64`, or `none`. Unset: none in production, loopback elsewhere
   * (receivers on the developer's machine and the test suite's).
   */
  @IsOptional()
  @IsString()
  WEBHOOK_ALLOWED_NETWORKS?: string;

  /** Retry backoff: attempt n waits a random time up to min(max, base × 2^(n-1)) (exponential, full jitter). */
  @Transform(({ value }) => (value === undefined || value === '' ? 30_000 : Number(value)))
  @IsInt()
  @Min(0)
  WEBHOOK_RETRY_BASE_MS = 30_000;

  @Transform(({ value }) => (value === undefined || value === '' ? 21_600_000 : Number(value)))
  @IsInt()
  @Min(0)
  WEBHOOK_RETRY_MAX_MS = 21_600_000;

  /** Attempts per delivery before it is given up as failed. */
  @Transform(({ value }) => (value === undefined || value === '' ? 12 : Number(value)))
  @IsInt()
  @Min(1)
  @Max(50)
  WEBHOOK_MAX_ATTEMPTS = 12;

  /** Failed attempts in a row (across deliveries) after which an endpoint is disabled and its owner told. */
  @Transform(({ value }) => (value === undefined || value === '' ? 36 : Number(value)))
  @IsInt()
  @Min(1)
  WEBHOOK_DISABLE_AFTER_FAILURES = 36;

  /** Days a finished delivery (sent, or given up) and its attempt log are kept before they are deleted. */
  @Transform(({ value }) => (value === undefined || value === '' ? 90 : Number(value)))
  @IsInt()
  @Min(1)
  WEBHOOK_LOG_RETENTION_DAYS = 90;

  /**
   * Seconds without a heartbeat after which a running charge run counts as interrupted (its process died) and
   * another instance may take it over. Holders beat several times within it, so a long chunk never looks stale.
   */
  @Transform(({ value }) => (value === undefined || value === '' ? 30 : Number(value)))
  @IsInt()
  @Min(5)
  @Max(3600)
  CHARGE_RUN_STALE_SECONDS = 30;

  /**
   * How often this instance looks for interrupted charge runs to resume; 0 turns the sweep off here. Unset: 10, or
   * off in tests, which sweep by hand (the test database is shared, and a sweep must not take another spec's run).
   */
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(3600)
  CHARGE_RUN_RECLAIM_INTERVAL_SECONDS?: number;

  /** Built admin UI to serve at `/`; empty disables it. */
  @IsString()
  ADMIN_UI_DIR = 'dist/apps/admin';

  /**
   * When set, `GET /metrics` answers only `Authorization: Bearer <METRICS_TOKEN>`; required in production, where
   * the metrics would otherwise be open to anyone who reaches an instance. Empty is unset.
   */
  @Transform(({ value }) => (value === '' ? undefined : value))
  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'METRICS_TOKEN must be at least 16 characters long' })
  METRICS_TOKEN?: string;
}

export class ConfigurationError extends Error {}

const KEEP_EMPTY = new Set(['ADMIN_UI_DIR']);

/** Parses and validates the environment; the error names every bad or missing setting. */
export function loadEnvironment(source: NodeJS.ProcessEnv = process.env): Environment {
  // An empty value means "not set", except where empty is meaningful (an empty ADMIN_UI_DIR turns the UI off).
  const defined = Object.fromEntries(
    Object.entries(source).filter(([key, v]) => v !== undefined && (v !== '' || KEEP_EMPTY.has(key))),
  );
  const env = plainToInstance(Environment, defined, { exposeDefaultValues: true });
  const errors = validateSync(env, { whitelist: false });
  const problems = errors.flatMap((e) => Object.values(e.constraints ?? {}));
  if (env.WEBHOOK_ALLOWED_NETWORKS !== undefined) {
    try {
      parseNetworks(env.WEBHOOK_ALLOWED_NETWORKS);
    } catch (error) {
      problems.push(`WEBHOOK_ALLOWED_NETWORKS: ${(error as Error).message}`);
    }
  }
  if (env.MIGRATION_DATABASE_URL && !env.DATABASE_URL) {
    problems.push(
      "MIGRATION_DATABASE_URL needs DATABASE_URL (the API's role) too; leave both unset for the embedded server",
    );
  }
  for (const required of ['JWT_SECRET', 'SECRETS_KEY', 'METRICS_TOKEN'] as const) {
    if (env.NODE_ENV === 'production' && !env[required]) {
      problems.push(`${required} is required when NODE_ENV=production`);
    }
  }
  if (problems.length > 0) {
    throw new ConfigurationError(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
  return env;
}
