import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { JobQueue } from '../../jobs/job-queue';
import { MetricsService } from '../metrics/metrics.service';
import { ChargeRunComputation } from './charge-run.computation';

export const CHARGE_RUN_QUEUE = 'charge-run';

interface ChargeRunJobData {
  chargeRunId: string;
}

/**
 * The charge run as a background job on pg-boss. The job is enqueued in the transaction that creates the run, so a
 * run is never left without a job nor a job without a run. A run interrupted by a crash does not wait for its job:
 * its heartbeat goes stale and an instance's reclaim sweep resumes it (ChargeRunReclaimer). When the job expires
 * later and is retried, the claim finds the run finished or held by a live worker, and the job just ends.
 */
@Injectable()
export class ChargeRunJob implements OnApplicationBootstrap {
  private workerId: string | null = null;

  constructor(
    private readonly jobs: JobQueue,
    private readonly computation: ChargeRunComputation,
    private readonly metrics: MetricsService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.jobs.queue(CHARGE_RUN_QUEUE, {
      retryLimit: 3,
      retryDelay: 5,
      // A job whose worker died is retried after this; by then the reclaim sweep has usually resumed its run.
      expireInSeconds: 30 * 60,
    });
    this.workerId = await this.jobs.work<ChargeRunJobData>(
      CHARGE_RUN_QUEUE,
      { pollingIntervalSeconds: 2, batchSize: 1 },
      async ([job]) =>
        this.metrics.timeJob(CHARGE_RUN_QUEUE, () => this.computation.execute(job.data.chargeRunId)),
    );
  }

  /** Enqueues the run's job inside the caller's transaction. */
  enqueue(manager: EntityManager, chargeRunId: string): Promise<void> {
    return this.jobs.send<ChargeRunJobData>(manager, CHARGE_RUN_QUEUE, [
      { data: { chargeRunId }, singletonKey: chargeRunId },
    ]);
  }

  /** Wakes this process's worker, so a run queued here starts at once rather than at the next poll. */
  wake(): void {
    this.jobs.wake(this.workerId);
  }
}
