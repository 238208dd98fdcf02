import { type Actor, CurrentActor, Roles, Scopes } from '@consortium/auth';
import { Body, Controller, HttpCode, HttpStatus, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { Idempotent } from '../idempotency/idempotent.decorator';
import { DisputesService } from './disputes.service';
import { AcceptDisputeDto, DisputeOutcomeDto, DisputeReasonDto, UpholdDisputeDto } from './dto/disputes.dto';

/**
 * Deciding a disputed charge line. The provider accepts (a credit note, posted to the ledger as a reversing entry)
 * or rejects; either party escalates to the consortium's administrators, who uphold (a credit note) or dismiss; the
 * consumer may withdraw. Each step keeps a comment, an audit event and a notification to the other side.
 */
@ApiTags('disputes')
@ApiBearerAuth('bearer')
@ApiSecurity('api-key')
@Controller('disputes')
export class DisputesController {
  constructor(private readonly disputes: DisputesService) {}

  /** The provider accepts: a credit note for the whole line, or down to `correctedNetMinor`. */
  @Roles('finance', 'org_admin')
  @Scopes('charges:write')
  @Idempotent()
  @Post(':id/accept')
  @HttpCode(HttpStatus.OK)
  accept(
    @CurrentActor() actor: Actor,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: AcceptDisputeDto,
  ): Promise<DisputeOutcomeDto> {
    return this.disputes.accept(actor, id, body);
  }

  /** The provider rejects, with reasons; the consumer may then escalate or withdraw. */
  @Roles('finance', 'org_admin')
  @Scopes('charges:write')
  @Idempotent()
  @Post(':id/reject')
  @HttpCode(HttpStatus.OK)
  reject(
    @CurrentActor() actor: Actor,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: DisputeReasonDto,
  ): Promise<DisputeOutcomeDto> {
    return this.disputes.reject(actor, id, body.reason);
  }

  /** Either party hands an open or rejected dispute to the consortium's administrators. */
  @Roles('finance', 'org_admin')
  @Scopes('charges:write')
  @Idempotent()
  @Post(':id/escalate')
  @HttpCode(HttpStatus.OK)
  escalate(
    @CurrentActor() actor: Actor,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: DisputeReasonDto,
  ): Promise<DisputeOutcomeDto> {
    return this.disputes.escalate(actor, id, body.reason);
  }

  /**
   * A consortium administrator upholds an escalated dispute: a credit note for the line, or `creditNetMinor` of it.
   * An administrator whose organisation is a party of the charge may not (403 `conflict-of-interest`).
   */
  @Roles('consortium_admin', 'superadmin')
  @Idempotent()
  @Post(':id/uphold')
  @HttpCode(HttpStatus.OK)
  uphold(
    @CurrentActor() actor: Actor,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: UpholdDisputeDto,
  ): Promise<DisputeOutcomeDto> {
    return this.disputes.uphold(actor, id, body);
  }

  /**
   * A consortium administrator dismisses an escalated dispute: the line stands as charged. An administrator whose
   * organisation is a party of the charge may not (403 `conflict-of-interest`).
   */
  @Roles('consortium_admin', 'superadmin')
  @Idempotent()
  @Post(':id/dismiss')
  @HttpCode(HttpStatus.OK)
  dismiss(
    @CurrentActor() actor: Actor,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: DisputeReasonDto,
  ): Promise<DisputeOutcomeDto> {
    return this.disputes.dismiss(actor, id, body.reason);
  }

  /** The consumer withdraws its dispute before a final decision. */
  @Roles('finance', 'org_admin')
  @Scopes('charges:write')
  @Idempotent()
  @Post(':id/withdraw')
  @HttpCode(HttpStatus.OK)
  withdraw(
    @CurrentActor() actor: Actor,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: DisputeReasonDto,
  ): Promise<DisputeOutcomeDto> {
    return this.disputes.withdraw(actor, id, body.reason);
  }
}
