import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../../config/runtime-config';
import { RateLimitCounter } from './rate-limit-counter.entity';

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
   * window starts on the minute). One statement: the upsert either adds to the current window's count or, on the
   * first request of a new window, starts it again at 1. Rejected requests count too, so hammering a limit does
   * not shorten it.
   */
  async hit(bucket: string, limit: number, windowSeconds: number): Promise<RateLimitState> {
    const [row] = await this.dataSource.query<{ hits: number; reset_seconds: number }[]>(
      `INSERT INTO rate_limit_counters AS c (bucket, window_start, hits)
       VALUES ($1, to_timestamp(floor(extract(epoch FROM now()) / $2) * $2), 1)
       ON CONFLICT (bucket) DO UPDATE
         SET hits = CASE WHEN c.window_start = EXCLUDED.window_start THEN c.hits + 1 ELSE 1 END,
             window_start = EXCLUDED.window_start
       RETURNING hits,
                 greatest(1, ceil(extract(epoch FROM window_start) + $2 - extract(epoch FROM now())))::int
                   AS reset_seconds`,
      [bucket, windowSeconds],
    );
    return {
      limit,
      remaining: Math.max(0, limit - row.hits),
      resetSeconds: row.reset_seconds,
      exceeded: row.hits > limit,
    };
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
