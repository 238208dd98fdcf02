import { BeforeApplicationShutdown, Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../../config/runtime-config';

/** A run this process holds: its lease is the `lease_id` it wrote when it claimed the run. */
export interface LeasedRun {
  id: string;
  leaseId: string;
}

/** A run just claimed: running under a new lease. */
export interface ClaimedRun extends LeasedRun {
  billingPeriodId: string;
  consortiumId: string;
  status: 'running';
  /** It was running under another holder that stopped beating: this claim takes it over. */
  resumed: boolean;
  resumedCount: number;
  /** As the run stood before the claim: how far it had got, and its holder's last heartbeat. */
  previous: { status: string; processedSubscriptions: number; heartbeatAt: Date | null };
}

export interface ClaimOptions {
  /** Take the run even from a live holder (the operator's command): that holder stops at its next chunk. */
  force?: boolean;
  /** Only a run that is interrupted, not a queued one (the Resume action). */
  interruptedOnly?: boolean;
  /** Claim inside the caller's transaction (to audit the takeover with it). */
  manager?: EntityManager;
}

/** Another instance took the run over while this one held it: stop, and write nothing more. */
export class LeaseLost extends Error {
  constructor(readonly runId: string) {
    super(`charge run ${runId}: another instance has taken the run over; this one stops`);
  }
}

/** This process is shutting down: the run stops at its chunk and is left for another instance to take at once. */
export class LeaseReleased extends Error {
  constructor(readonly runId: string) {
    super(`charge run ${runId}: stopped by shutdown, left for another instance to resume`);
  }
}

/**
 * A running run held under a lease whose heartbeat is fresh belongs to its holder. One that nobody holds, that has
 * no heartbeat, or whose heartbeat is older than the staleness threshold ($n, seconds) is interrupted: its holder
 * died and anyone may take it over. The one definition, used by the claim, the sweep and the API.
 */
const interruptedSql = (stale: string) =>
  `(lease_id IS NULL OR heartbeat_at IS NULL OR heartbeat_at < clock_timestamp() - make_interval(secs => ${stale}))`;

interface Holding {
  run: LeasedRun;
  /** Set when a heartbeat found the lease gone: the next chunk aborts. */
  lost: boolean;
  timer: NodeJS.Timeout | null;
  beating: Promise<void> | null;
  ended: boolean;
  /** Resolves when the run's execution has let go of it. */
  done: Promise<void>;
}

/** How long shutdown waits for the runs held here to stop at the end of their chunk in flight. */
const SHUTDOWN_WAIT_MS = 30_000;

/**
 * Leases on running charge runs, so that exactly one process works a run and a dead one's run is taken over.
 * Claiming writes a fresh `lease_id` and heartbeat; while the run executes a timer beats the heartbeat every few
 * seconds (so one long chunk never looks stale), and each chunk commits only while its lease still holds. A run
 * whose heartbeat is older than CHARGE_RUN_STALE_SECONDS is interrupted and may be claimed again: the old holder,
 * if it was only slow, finds its lease gone at its next heartbeat or chunk and stops.
 */
@Injectable()
export class ChargeRunLease implements OnModuleDestroy, BeforeApplicationShutdown {
  private readonly logger = new Logger('ChargeRun');
  private readonly holdings = new Map<string, Holding>();
  private stopping = false;

  constructor(
    @Inject(RUNTIME_CONFIG) private readonly config: RuntimeConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  /** Seconds without a heartbeat after which a running run is interrupted. */
  get staleSeconds(): number {
    return this.config.env.CHARGE_RUN_STALE_SECONDS;
  }

  /** Whether a run in this state counts as interrupted (for what the API shows; the database decides claims). */
  isInterrupted(
    run: { status: string; leaseId: string | null; heartbeatAt: Date | null },
    now = Date.now(),
  ): boolean {
    return (
      run.status === 'running' &&
      (run.leaseId === null ||
        run.heartbeatAt === null ||
        run.heartbeatAt.getTime() < now - this.staleSeconds * 1000)
    );
  }

  /**
   * Claims a run atomically under a new lease: a queued run, or a running one whose holder is gone (stale
   * heartbeat). Null when the run has finished, is held by a live worker, or does not exist. Taking over counts
   * in `resumed_count`. The computation starts again from the first subscription (it adds only what is missing),
   * so the claim resets the progress and the list of subscriptions needing attention.
   */
  async claim(runId: string, options: ClaimOptions = {}): Promise<ClaimedRun | null> {
    const work = (manager: EntityManager) => this.claimIn(manager, runId, options);
    const run = options.manager ? await work(options.manager) : await this.dataSource.transaction(work);
    if (run?.resumed) {
      const seen = run.previous.heartbeatAt ? run.previous.heartbeatAt.toISOString() : 'never';
      this.logger.log(
        `charge run ${run.id}: resuming after an interruption (${run.previous.processedSubscriptions} ` +
          `subscriptions done, last heartbeat ${seen}; takeover ${run.resumedCount})`,
      );
    }
    return run;
  }

  private async claimIn(manager: EntityManager, runId: string, options: ClaimOptions) {
    // The row lock orders claimers: the second sees the first's fresh heartbeat and gets nothing.
    const [before]: { status: string; processedSubscriptions: number; heartbeatAt: Date | null }[] =
      await manager.query(
        `SELECT status, processed_subscriptions AS "processedSubscriptions", heartbeat_at AS "heartbeatAt"
           FROM charge_runs WHERE id = $1 FOR UPDATE`,
        [runId],
      );
    if (!before) return null;
    // An UPDATE … RETURNING answers [rows, affected count] through TypeORM.
    const [rows]: [Omit<ClaimedRun, 'status' | 'resumed' | 'previous'>[], number] = await manager.query(
      `UPDATE charge_runs
          SET status = 'running', lease_id = $2, heartbeat_at = clock_timestamp(),
              started_at = coalesce(started_at, now()),
              resumed_count = resumed_count + CASE WHEN status = 'running' THEN 1 ELSE 0 END,
              processed_subscriptions = 0, needs_attention = '[]', error = NULL
        WHERE id = $1
          AND ((status = 'queued' AND NOT $4)
               OR (status = 'running' AND ($3 OR ${interruptedSql('$5')})))
        RETURNING id, billing_period_id AS "billingPeriodId", consortium_id AS "consortiumId",
                  lease_id AS "leaseId", resumed_count AS "resumedCount"`,
      [runId, randomUUID(), options.force ?? false, options.interruptedOnly ?? false, this.staleSeconds],
    );
    if (!rows[0]) return null;
    return {
      ...rows[0],
      status: 'running' as const,
      resumed: before.status === 'running',
      previous: before,
    };
  }

  /** Running runs that are interrupted, longest silent first. */
  async interruptedRuns(limit = 10): Promise<string[]> {
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT id FROM charge_runs
        WHERE status = 'running' AND ${interruptedSql('$1')}
        ORDER BY heartbeat_at NULLS FIRST, created_at
        LIMIT $2`,
      [this.staleSeconds, limit],
    );
    return rows.map((row) => row.id);
  }

  /** Beats the run's heartbeat; LeaseLost when this process no longer holds it. */
  async beat(run: LeasedRun): Promise<void> {
    const [, affected]: [unknown, number] = await this.dataSource.query(
      `UPDATE charge_runs SET heartbeat_at = clock_timestamp()
        WHERE id = $1 AND lease_id = $2 AND status = 'running'`,
      [run.id, run.leaseId],
    );
    if (affected === 0) throw new LeaseLost(run.id);
  }

  /**
   * Beats the run's heartbeat every few seconds until `stop`, which waits for a beat in flight (so that nothing
   * refreshes the heartbeat after the run has been left interrupted or finished); `end`, once the run's outcome
   * is written, lets it go (idle() resolves).
   */
  keepAlive(run: LeasedRun): { stop(): Promise<void>; end(): void } {
    let letGo!: () => void;
    const done = new Promise<void>((resolve) => (letGo = resolve));
    const holding: Holding = { run, lost: false, timer: null, beating: null, ended: false, done };
    this.holdings.set(run.leaseId, holding);
    const every = Math.max(1000, Math.floor((this.staleSeconds * 1000) / 5));
    const schedule = () => {
      if (holding.ended || holding.lost) return;
      holding.timer = setTimeout(() => {
        holding.beating = this.beat(run)
          .catch((error: unknown) => {
            if (error instanceof LeaseLost) {
              holding.lost = true;
              this.logger.warn(error.message);
            } else {
              // A database hiccup: the next beat tries again (the run goes stale only if they all fail).
              this.logger.error(`charge run ${run.id}: heartbeat failed: ${(error as Error).message}`);
            }
          })
          .finally(() => {
            holding.beating = null;
            schedule();
          });
      }, every);
      holding.timer.unref();
    };
    schedule();
    return {
      stop: async () => {
        holding.ended = true;
        if (holding.timer) clearTimeout(holding.timer);
        await holding.beating;
      },
      // Separate from stop: the run is only let go (idle() resolves) once its outcome has been written.
      end: () => {
        this.holdings.delete(run.leaseId);
        letGo();
      },
    };
  }

  /**
   * The chunk's progress, written in the chunk's own transaction only while this process still holds the run:
   * when another instance has taken it over (or this process is shutting down) it throws, and the chunk rolls
   * back, so a zombie never writes a chunk after its lease is gone.
   */
  async recordProgress(manager: EntityManager, run: LeasedRun, processed: number): Promise<void> {
    if (this.holdings.get(run.leaseId)?.lost) throw new LeaseLost(run.id);
    if (this.stopping) throw new LeaseReleased(run.id);
    const [, affected]: [unknown, number] = await manager.query(
      `UPDATE charge_runs SET processed_subscriptions = $3, heartbeat_at = clock_timestamp()
        WHERE id = $1 AND lease_id = $2 AND status = 'running'`,
      [run.id, run.leaseId, processed],
    );
    if (affected === 0) throw new LeaseLost(run.id);
  }

  /**
   * Leaves the run running with its lease but a heartbeat already stale, as if its process had died a staleness
   * period ago: stopAfterChunks uses it, so tests resume a "crashed" run without waiting.
   */
  async abandon(run: LeasedRun): Promise<void> {
    await this.dataSource.query(
      `UPDATE charge_runs SET heartbeat_at = clock_timestamp() - make_interval(secs => $3 + 1)
        WHERE id = $1 AND lease_id = $2 AND status = 'running'`,
      [run.id, run.leaseId, this.staleSeconds],
    );
  }

  /** Gives the run up (this process is stopping): nobody holds it, so any instance may take it at once. */
  async release(run: LeasedRun): Promise<void> {
    await this.dataSource.query(
      `UPDATE charge_runs SET lease_id = NULL WHERE id = $1 AND lease_id = $2 AND status = 'running'`,
      [run.id, run.leaseId],
    );
  }

  /** Resolves once no run is held by this process (tests wait for a run resumed in the background). */
  async idle(): Promise<void> {
    while (this.holdings.size > 0) {
      await Promise.all([...this.holdings.values()].map((holding) => holding.done));
    }
  }

  /** Shutting down: each run held here stops at the end of its chunk in flight and is released. */
  onModuleDestroy(): void {
    this.stopping = true;
  }

  async beforeApplicationShutdown(): Promise<void> {
    // Waits (while the database is still open) for the runs to stop; their beats end with them.
    let timeout: NodeJS.Timeout | undefined;
    await Promise.race([
      this.idle(),
      new Promise((resolve) => (timeout = setTimeout(resolve, SHUTDOWN_WAIT_MS).unref())),
    ]);
    clearTimeout(timeout);
    for (const holding of this.holdings.values()) {
      holding.ended = true;
      if (holding.timer) clearTimeout(holding.timer);
    }
  }
}
