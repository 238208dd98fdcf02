import { Global, Module } from '@nestjs/common';
import { JobQueue } from './job-queue';

/** Background jobs on pg-boss; global so that each module that queues or works jobs shares one pg-boss. */
@Global()
@Module({
  providers: [JobQueue],
  exports: [JobQueue],
})
export class JobsModule {}
