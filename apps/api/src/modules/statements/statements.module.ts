import { Module } from '@nestjs/common';
import { SavingsService } from './savings.service';
import { StatementsController } from './statements.controller';
import { StatementsService } from './statements.service';

/** Members' statements (JSON, CSV, printable HTML) and savings reports. Read-only. */
@Module({
  controllers: [StatementsController],
  providers: [StatementsService, SavingsService],
})
export class StatementsModule {}
