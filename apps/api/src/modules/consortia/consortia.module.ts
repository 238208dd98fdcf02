import { Module } from '@nestjs/common';
import { ConsortiaController } from './consortia.controller';
import { ConsortiaService } from './consortia.service';
import { ConsortiumAdminsController } from './consortium-admins.controller';
import { ConsortiumAdminsService } from './consortium-admins.service';
import { MembershipsController } from './memberships.controller';
import { MembershipsService } from './memberships.service';

@Module({
  controllers: [ConsortiaController, ConsortiumAdminsController, MembershipsController],
  providers: [ConsortiaService, ConsortiumAdminsService, MembershipsService],
})
export class ConsortiaModule {}
