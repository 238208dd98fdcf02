import { type Actor, CurrentActor, Roles, Scopes } from '@consortium/auth';
import { Body, Controller, Get, HttpStatus, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { BillingPeriodsService } from './billing-periods.service';
import {
  BillingPeriodDto,
  BillingPeriodListQuery,
  BillingPeriodPageDto,
  OpenBillingPeriodDto,
} from './dto/billing-period.dto';

/** A consortium's billing periods, visible to its members and administrators. */
@ApiTags('billing periods')
@ApiBearerAuth('bearer')
@Controller()
export class BillingPeriodsController {
  constructor(private readonly periods: BillingPeriodsService) {}

  /** The consortium's billing periods, newest first by default. Sort by `startDate` (default `-startDate`) or `createdAt`. */
  @ApiSecurity('api-key')
  @Scopes('ledger:read', 'charges:read')
  @Get('consortia/:id/billing-periods')
  list(
    @CurrentActor() actor: Actor,
    @Param('id', ParseUUIDPipe) id: string,
    @Query() query: BillingPeriodListQuery,
  ): Promise<BillingPeriodPageDto> {
    return this.periods.list(actor, id, query);
  }

  /**
   * Opens the period of the consortium's billing cycle containing `date` (the consortium's administrators).
   * 201 when it was created, 200 with the existing period when it already existed.
   */
  @Roles('consortium_admin', 'superadmin')
  @Post('consortia/:id/billing-periods')
  @ApiCreatedResponse({ type: BillingPeriodDto, description: 'The period was opened' })
  @ApiOkResponse({ type: BillingPeriodDto, description: 'The period already existed' })
  async open(
    @CurrentActor() actor: Actor,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: OpenBillingPeriodDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<BillingPeriodDto> {
    const { period, created } = await this.periods.open(actor, id, body.date);
    void reply.status(created ? HttpStatus.CREATED : HttpStatus.OK);
    return period;
  }

  /** One billing period of a consortium you belong to or administer. */
  @ApiSecurity('api-key')
  @Scopes('ledger:read', 'charges:read')
  @Get('billing-periods/:id')
  get(@CurrentActor() actor: Actor, @Param('id', ParseUUIDPipe) id: string): Promise<BillingPeriodDto> {
    return this.periods.get(actor, id);
  }
}
