import { BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import PgBoss from 'pg-boss';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../config/runtime-config';

export type { PgBoss };

/** A job to put on a queue: what pg-boss's insert takes, for one queue. */
export interface QueuedJob<T extends object> {
  data: T;
  startAfter?: Date;
  singletonKey?: string;
}

/**
 * The process's one pg-boss (its own schema `pgboss` in the app's database), shared by every background job. Jobs
 * are written through the caller's transaction, so work is queued exactly when the change that needs it commits.
 * pg-boss starts on first use, whichever module gets there first, and stops after the jobs in hand have finished.
 */
@Injectable()
export class JobQueue implements BeforeApplicationShutdown {
  private readonly logger = new Logger('JobQueue');
  private readonly boss: PgBoss;
  private starting: Promise<unknown> | null = null;
  private stopped = false;

  constructor(
    @Inject(RUNTIME_CONFIG) config: RuntimeConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {
    this.boss = new PgBoss({
      connectionString: config.databaseUrl,
      schema: 'pgboss',
      max: 3,
      application_name: 'consortium-jobs',
      schedule: false,
      // Its schema is the owner's, made and upgraded when migrating (database/run-migrations.ts): only checked here.
      migrate: false,
    });
    this.boss.on('error', (error) => this.logger.error(`pg-boss: ${error.message}`));
  }

  /** Starts pg-boss and creates the queue if it is new (its options apply from then on). */
  async queue(name: string, options: Omit<PgBoss.Queue, 'name'>): Promise<void> {
    this.starting ??= this.boss.start();
    await this.starting;
    // Instances starting together would otherwise create queues at once, and pg-boss's DDL deadlocks.
    await this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['pg-boss-queue-setup']);
      if (!(await this.boss.getQueue(name))) await this.boss.createQueue(name, { ...options, name });
    });
  }

  /** This process works the queue: `handle` gets up to `batchSize` jobs at a time; throwing fails them all. */
  work<T extends object>(
    name: string,
    options: PgBoss.WorkOptions,
    handle: (jobs: PgBoss.Job<T>[]) => Promise<unknown>,
  ): Promise<string> {
    return this.boss.work<T>(name, options, handle);
  }

  /** Wakes a worker of this process, so work queued here starts now rather than at its next poll. */
  wake(workerId: string | null): void {
    if (workerId) this.boss.notifyWorker(workerId);
  }

  /** Queues jobs in the caller's transaction: they exist if, and only if, it commits. */
  async send<T extends object>(manager: EntityManager, name: string, jobs: QueuedJob<T>[]): Promise<void> {
    if (jobs.length === 0) return;
    await this.boss.insert(
      jobs.map((job) => ({ name, ...job })),
      { db: this.through(manager) },
    );
  }

  /** Takes due jobs off the queue by hand (tests and one-off passes), to be marked done with `complete`. */
  fetch<T extends object>(name: string, batchSize: number): Promise<PgBoss.Job<T>[]> {
    return this.boss.fetch<T>(name, { batchSize });
  }

  async complete(name: string, ids: string[]): Promise<void> {
    if (ids.length > 0) await this.boss.complete(name, ids);
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (!this.starting || this.stopped) return;
    this.stopped = true;
    // Lets the jobs in hand finish before the database connections close.
    await this.boss.stop({ graceful: true, wait: true, timeout: 30_000 });
  }

  /** pg-boss's database interface over the transaction's own connection. */
  private through(manager: EntityManager): PgBoss.Db {
    const runner = manager.queryRunner;
    if (!runner?.isTransactionActive) throw new Error('queuing a job needs a transaction');
    return {
      executeSql: async (text: string, values: unknown[]) => ({
        rows: (await runner.query(text, values, true)).records as unknown[],
      }),
    };
  }
}
