import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The current fixed window of requests of one caller (`api-key:<id>`, `user:<id>` or `address:<ip>`), shared by
 * every API instance. UNLOGGED in the database: counters are worth losing in a crash, not a WAL write per request.
 */
@Entity({ name: 'rate_limit_counters' })
export class RateLimitCounter {
  @PrimaryColumn({ type: 'text' })
  bucket!: string;

  /** The start of the minute the hits count in; a request in a later minute starts the count again. */
  @Column({ name: 'window_start', type: 'timestamptz' })
  windowStart!: Date;

  @Column({ type: 'integer' })
  hits!: number;
}
