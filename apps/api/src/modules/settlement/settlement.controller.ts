import { type Actor, CurrentActor, Roles, Scopes } from '@consortium/auth';
import { Body, Controller, Get, HttpCode, HttpStatus, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { Idempotent } from '../idempotency/idempotent.decorator';
import {
  CloseBillingPeriodDto,
  RecordSettlementPaymentDto,
  SettlementDto,
  SettlementPaymentDto,
} from './dto/settlement.dto';
import { SettlementService } from './settlement.service';

/** Closing a billing period, its net positions and the payments that settle them. */
@ApiTags('settlement')
@ApiBearerAuth('bearer')
@Controller()
export class SettlementController {
  constructor(private readonly settlement: SettlementService) {}

  /**
   * Closes the period (the consortium's administrators): fixes each member's net position and the settlement plan,
   * and tells every member what to pay or receive. Refused (409 period-not-ready-to-close) while charges are draft
   * or disputes unresolved, unless `overrideReason` is given.
   */
  @Roles('consortium_admin', 'superadmin')
  @Idempotent()
  @Post('billing-periods/:id/close')
  @HttpCode(HttpStatus.OK)
  close(
    @CurrentActor() actor: Actor,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: CloseBillingPeriodDto,
  ): Promise<SettlementDto> {
    return this.settlement.close(actor, id, body.overrideReason);
  }

  /** The period's net positions, the settlement plan and how far it has been paid (members and administrators). */
  @ApiSecurity('api-key')
  @Scopes('ledger:read', 'charges:read')
  @Get('billing-periods/:id/settlement')
  get(@CurrentActor() actor: Actor, @Param('id', ParseUUIDPipe) id: string): Promise<SettlementDto> {
    return this.settlement.settlement(actor, id);
  }

  /**
   * Records a settlement payment as made (the payer's finance team or administrators, an API key of the payer with
   * `charges:write`, or the consortium's administrators): posts it to the ledger; the last one settles the period.
   * Send an Idempotency-Key.
   */
  @ApiSecurity('api-key')
  @Roles('finance', 'org_admin', 'consortium_admin', 'superadmin')
  @Scopes('charges:write')
  @Idempotent()
  @Post('settlement-payments/:id/record')
  @HttpCode(HttpStatus.OK)
  record(
    @CurrentActor() actor: Actor,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: RecordSettlementPaymentDto,
  ): Promise<SettlementPaymentDto> {
    return this.settlement.recordPayment(actor, id, body.paymentReference);
  }
}
