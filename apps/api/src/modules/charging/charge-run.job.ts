import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  BeforeApplicationShutdown,
} from '@nestjs/common';
import PgBoss from 'pg-boss';
import type { EntityManager } from 'typeorm';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../../config/runtime-config';
import { MetricsService } from '../metrics/metrics.service';
import { ChargeRunComputation } from './charge-run.computation';

export const CHARGE_RUN_QUEUE = 'charge-run';

interface ChargeRunJobData {
  chargeRunId: string;
}

/**
 * The charge run as a background job on pg-boss (its own schema `pgboss` in the app's database). The job is
 * enqueued in the transaction that creates the run, so a run is never left without a job nor a job without a run;
 * a job interrupted by a crash expires and is retried, and the computation resumes where it stopped.
 */
@Injectable()
export class ChargeRunJob implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('ChargeRunJob');
  private readonly boss: PgBoss;
  private workerId: string | null = null;

  constructor(
    @Inject(RUNTIME_CONFIG) config: RuntimeConfig,
    private readonly computation: ChargeRunComputation,
    private readonly metrics: MetricsService,
  ) {
    this.boss = new PgBoss({
      connectionString: config.databaseUrl,
      schema: 'pgboss',
      max: 3,
      application_name: 'consortium-jobs',
      schedule: false,
    });
    this.boss.on('error', (error) => this.logger.error(`pg-boss: ${error.message}`));
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.boss.start();
    if (!(await this.boss.getQueue(CHARGE_RUN_QUEUE))) {
      await this.boss.createQueue(CHARGE_RUN_QUEUE, {
        name: CHARGE_RUN_QUEUE,
        retryLimit: 3,
        retryDelay: 5,
        // A job whose worker died is retried after this; the computation resumes, adding only what is missing.
        expireInSeconds: 30 * 60,
      });
    }
    this.workerId = await this.boss.work<ChargeRunJobData>(
      CHARGE_RUN_QUEUE,
      { pollingIntervalSeconds: 2, batchSize: 1 },
      async ([job]) =>
        this.metrics.timeJob(CHARGE_RUN_QUEUE, () => this.computation.execute(job.data.chargeRunId)),
    );
  }

  /** Enqueues the run's job inside the caller's transaction (pg-boss writes through the same connection). */
  async enqueue(manager: EntityManager, chargeRunId: string): Promise<void> {
    const runner = manager.queryRunner;
    if (!runner) throw new Error('enqueue needs a transaction');
    await this.boss.send(
      CHARGE_RUN_QUEUE,
      { chargeRunId },
      {
        singletonKey: chargeRunId,
        db: {
          executeSql: async (text: string, values: unknown[]) => ({
            rows: (await runner.query(text, values, true)).records as unknown[],
          }),
        },
      },
    );
  }

  /** Wakes this process's worker, so a run queued here starts at once rather than at the next poll. */
  wake(): void {
    if (this.workerId) this.boss.notifyWorker(this.workerId);
  }

  async beforeApplicationShutdown(): Promise<void> {
    // Lets a running chunk finish before the database connections close.
    await this.boss.stop({ graceful: true, wait: true, timeout: 30_000 });
  }
}
