import { Module } from '@nestjs/common';
import { NotificationsModule } from '../notifications/notifications.module';
import { ChargeRunComputation } from './charge-run.computation';
import { ChargeRunJob } from './charge-run.job';
import { ChargeRunLease } from './charge-run.lease';
import { ChargeRunReclaimer } from './charge-run.reclaimer';
import { ChargeRunsController } from './charge-runs.controller';
import { ChargeRunsService } from './charge-runs.service';

/** Charge runs: the background computation of each period's draft cross-charges. */
@Module({
  imports: [NotificationsModule],
  controllers: [ChargeRunsController],
  providers: [ChargeRunsService, ChargeRunComputation, ChargeRunJob, ChargeRunLease, ChargeRunReclaimer],
  exports: [ChargeRunComputation, ChargeRunLease],
})
export class ChargeRunsModule {}
