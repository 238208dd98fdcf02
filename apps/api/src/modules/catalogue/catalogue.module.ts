import { Module } from '@nestjs/common';
import { CatalogueService } from './catalogue.service';
import { ComplianceService } from './compliance.service';
import { ConsortiumComplianceController } from './consortium-compliance.controller';
import { PriceVersionsService } from './price-versions.service';
import { ServicesController } from './services.controller';

/** The service catalogue: listings, their prices and compliance, browse and search. */
@Module({
  controllers: [ServicesController, ConsortiumComplianceController],
  providers: [CatalogueService, PriceVersionsService, ComplianceService],
})
export class CatalogueModule {}
