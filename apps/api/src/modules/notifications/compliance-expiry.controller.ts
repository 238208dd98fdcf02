import { type Actor, CurrentActor, Roles } from '@consortium/auth';
import { Controller, HttpCode, HttpStatus, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ComplianceExpiryService } from './compliance-expiry.service';
import { ComplianceExpiryRunDto } from './dto/compliance-expiry.dto';

@ApiTags('compliance')
@ApiBearerAuth('bearer')
@Controller('consortia/:id/compliance')
export class ComplianceExpiryController {
  constructor(private readonly expiry: ComplianceExpiryService) {}

  /**
   * Notifies each provider in the consortium of its certificates that expire within 30 days or have expired
   * (the consortium's administrators). Repeating it notifies nobody twice about the same certificate and expiry
   * date, so it is safe to run daily.
   */
  @Roles('consortium_admin', 'superadmin')
  @Post('notify-expiring')
  @HttpCode(HttpStatus.OK)
  notifyExpiring(
    @CurrentActor() actor: Actor,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<ComplianceExpiryRunDto> {
    return this.expiry.notifyExpiring(actor, id);
  }
}
