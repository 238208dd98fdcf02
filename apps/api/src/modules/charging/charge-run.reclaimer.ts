import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../../config/runtime-config';
import { AuditService } from '../audit/audit.service';
import { ChargeRunComputation } from './charge-run.computation';
import { ChargeRunLease } from './charge-run.lease';

/** Unset, the sweep runs this often (seconds), except in tests. */
const DEFAULT_RECLAIM_INTERVAL_SECONDS = 10;

/**
 * Every instance that works charge runs also looks, every CHARGE_RUN_RECLAIM_INTERVAL_SECONDS, for runs whose
 * holder died (heartbeat older than CHARGE_RUN_STALE_SECONDS), takes one over under a new lease and runs it to its
 * end here. With the defaults a crashed run resumes within about 40 seconds, on whichever instance looks first;
 * the claim decides, so two instances never both take it.
 */
@Injectable()
export class ChargeRunReclaimer
  implements OnApplicationBootstrap, OnModuleDestroy, BeforeApplicationShutdown
{
  private readonly logger = new Logger('ChargeRunReclaimer');
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;
  private stopped = false;

  constructor(
    @Inject(RUNTIME_CONFIG) private readonly config: RuntimeConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly lease: ChargeRunLease,
    private readonly computation: ChargeRunComputation,
    private readonly audit: AuditService,
  ) {}

  /** Seconds between sweeps; 0 when this instance does not sweep. */
  get intervalSeconds(): number {
    const { CHARGE_RUN_RECLAIM_INTERVAL_SECONDS: seconds, NODE_ENV } = this.config.env;
    return seconds ?? (NODE_ENV === 'test' ? 0 : DEFAULT_RECLAIM_INTERVAL_SECONDS);
  }

  onApplicationBootstrap(): void {
    if (this.intervalSeconds > 0) this.schedule();
  }

  onModuleDestroy(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  async beforeApplicationShutdown(): Promise<void> {
    // A run being resumed here stops at its chunk (ChargeRunLease) and is left for another instance.
    await this.running;
  }

  /**
   * One sweep: takes over the first interrupted run that no other instance takes first, audited as the system,
   * and runs it to its end in this process. Returns its id, or null when no run was interrupted. Tests call it.
   */
  async sweep(): Promise<string | null> {
    for (const id of await this.lease.interruptedRuns()) {
      const run = await this.dataSource.transaction(async (manager) => {
        const claimed = await this.lease.claim(id, { manager, interruptedOnly: true });
        if (claimed) {
          await this.audit.record(manager, 'system', {
            action: 'charge_run.resumed',
            entityType: 'charge_run',
            entityId: claimed.id,
            consortiumId: claimed.consortiumId,
            changes: {
              via: 'automatic',
              processedSubscriptions: claimed.previous.processedSubscriptions,
              lastHeartbeatAt: claimed.previous.heartbeatAt,
              resumedCount: claimed.resumedCount,
            },
          });
        }
        return claimed;
      });
      // Another instance took it between the look and the claim: try the next.
      if (!run) continue;
      this.logger.log(
        `reclaimed charge run ${run.id} (${run.previous.processedSubscriptions} subscriptions done when ` +
          `interrupted, takeover ${run.resumedCount}); resuming it here`,
      );
      await this.computation.executeClaimed(run);
      return run.id;
    }
    return null;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.tick().finally(() => {
        this.running = null;
        this.schedule();
      });
    }, this.intervalSeconds * 1000);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    try {
      // Runs every interrupted run, one after another, before the next wait.
      while (!this.stopped && (await this.sweep()) !== null);
    } catch (error) {
      // A database hiccup must not stop the loop: the next tick tries again.
      this.logger.error(`charge run reclaim: ${(error as Error).message}`);
    }
  }
}
