import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../../config/runtime-config';
import { preparedQuery } from '../../database/prepared-query';
import { RateLimitCounter } from './rate-limit-counter.entity';

/**
 * The statement counting one request of a bucket, as SQL over the caller's parameter placeholders or expressions,
 * so that a look-up made on every request anyway can count it in the same round trip (a data-modifying CTE), and
 * only when `from` (a CTE of that statement) yields a row. One upsert either adds to the current window's count
 * or, on the first request of a new window, starts it again at 1. It returns countedColumnsSql().
 */
export function countRequestSql(sql: { bucket: string; windowSeconds: string; from?: string }): string {
  const window = `(${sql.windowSeconds})::integer`;
  return `INSERT INTO rate_limit_counters AS c (bucket, window_start, hits)
          SELECT ${sql.bucket}, to_timestamp(floor(extract(epoch FROM now()) / ${window}) * ${window}), 1
          ${sql.from ? `FROM ${sql.from}` : ''}
          ON CONFLICT (bucket) DO UPDATE
            SET hits = CASE WHEN c.window_start = EXCLUDED.window_start THEN c.hits + 1 ELSE 1 END,
                window_start = EXCLUDED.window_start`;
}

/** The RETURNING list of countRequestSql's statement: `hits` and `reset_seconds`. */
export const countedColumnsSql = (windowSeconds: string) =>
  `hits, greatest(1, ceil(extract(epoch FROM window_start) + (${windowSeconds})::integer - extract(epoch FROM now())))::int
     AS reset_seconds`;

/** A row of countedColumnsSql. */
export interface CountedRequest {
  hits: number;
  reset_seconds: number;
}

/** Where a bucket stands after a counted request. */
export function rateLimitState(limit: number, counted: CountedRequest): RateLimitState {
  return {
    limit,
    remaining: Math.max(0, limit - counted.hits),
    resetSeconds: counted.reset_seconds,
    exceeded: counted.hits > limit,
  };
}

/**
 * Counts made in the same statement as the caller's look-up (ActorDirectoryService), kept for RateLimitGuard to
 * state and enforce instead of counting the request again. Keyed by the actor object the request carries, so each
 * goes with its request and is collected with it; per process rather than per service instance, since passport's
 * strategies (which make the look-up) are process-wide.
 */
const countedRequests = new WeakMap<object, RateLimitState>();

export function rememberCounted(actor: object, state: RateLimitState): void {
  countedRequests.set(actor, state);
}

/** The count remembered for this request's actor, once. */
export function takeCounted(actor: object): RateLimitState | undefined {
  const state = countedRequests.get(actor);
  countedRequests.delete(actor);
  return state;
}

/** How often each instance deletes the counters of ended windows (any may: the DELETE is idempotent). */
const SWEEP_INTERVAL_MS = 60 * 60 * 1000;

export interface RateLimitState {
  limit: number;
  /** Requests left in this window (never negative). */
  remaining: number;
  /** Seconds until the window ends and the count starts again. */
  resetSeconds: number;
  exceeded: boolean;
}

/** Counts a caller's requests in PostgreSQL, so every API instance enforces the same limit. */
@Injectable()
export class RateLimitService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(RateLimitService.name);
  private sweeper?: NodeJS.Timeout;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(RUNTIME_CONFIG) private readonly config: RuntimeConfig,
  ) {}

  onModuleInit(): void {
    // Counters of callers who stopped calling would otherwise stay for ever (one row per key, user or address).
    this.sweeper = setInterval(() => {
      this.forgetEndedWindows(this.config.env.RATE_LIMIT_WINDOW_SECONDS).catch((error: unknown) =>
        this.logger.warn({ err: error }, 'Could not delete ended rate-limit windows'),
      );
    }, SWEEP_INTERVAL_MS);
    this.sweeper.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.sweeper);
  }

  /**
   * Records one request of the bucket and says where it stands. Windows are fixed, aligned to the epoch (a minute
   * window starts on the minute). Rejected requests count too, so hammering a limit does not shorten it.
   */
  async hit(bucket: string, limit: number, windowSeconds: number): Promise<RateLimitState> {
    const [row] = await preparedQuery<CountedRequest>(
      this.dataSource,
      'rate-limit-hit',
      `${countRequestSql({ bucket: '$1', windowSeconds: '$2' })} RETURNING ${countedColumnsSql('$2')}`,
      [bucket, windowSeconds],
    );
    return rateLimitState(limit, row);
  }

  /** Deletes the counters whose window has ended (their next request starts at 1 anyway); returns how many. */
  async forgetEndedWindows(windowSeconds: number): Promise<number> {
    const result = await this.dataSource
      .createQueryBuilder()
      .delete()
      .from(RateLimitCounter)
      .where('window_start <= now() - make_interval(secs => :windowSeconds)', { windowSeconds })
      .execute();
    return result.affected ?? 0;
  }
}
