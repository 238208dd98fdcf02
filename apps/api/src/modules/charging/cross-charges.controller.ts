import { type Actor, CurrentActor, Roles, Scopes } from '@consortium/auth';
import {
  Body,
  Controller,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
} from '@nestjs/common';
import { ApiBearerAuth, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { Idempotent } from '../idempotency/idempotent.decorator';
import { CrossChargesService } from './cross-charges.service';
import {
  CrossChargeDetailDto,
  CrossChargeListQuery,
  CrossChargePageDto,
  DisputeDto,
  IssuedChargesDto,
} from './dto/cross-charges.dto';
import { CreditNoteListQuery, CreditNotePageDto } from './dto/credit-notes.dto';
import { DisputeReasonDto } from './dto/disputes.dto';

/**
 * Cross-charges under finance review. A charge is visible to its provider (from the draft on), its consumer (once
 * issued) and its consortium's administrators; to anyone else it does not exist (404). Changes need the `finance`
 * or `org_admin` role (or an API key with `charges:write`) on the right side of the charge (403 otherwise); a
 * change the charge's status does not allow is a 409 conflict.
 */
@ApiTags('cross-charges')
@ApiBearerAuth('bearer')
@ApiSecurity('api-key')
@Controller('cross-charges')
export class CrossChargesController {
  constructor(private readonly charges: CrossChargesService) {}

  /**
   * Charges to and from your organisation (`direction=to_us|from_us`), filtered by period (`billingPeriodId`, or
   * `periodKey` with `consortiumId`), `counterpartyId`, `status` and gross amount (`minAmount`/`maxAmount`, pence).
   * A consortium administrator sees every charge of the consortium. Sort by `createdAt`, `grossMinor` or `reference`.
   */
  @Scopes('charges:read', 'charges:write')
  @Get()
  list(@CurrentActor() actor: Actor, @Query() query: CrossChargeListQuery): Promise<CrossChargePageDto> {
    return this.charges.list(actor, query);
  }

  /** One charge with its lines (each traceable to subscription, service and price version), disputes, credit notes and comments. */
  @Scopes('charges:read', 'charges:write')
  @Get(':id')
  get(@CurrentActor() actor: Actor, @Param('id', ParseUUIDPipe) id: string): Promise<CrossChargeDetailDto> {
    return this.charges.get(actor, id);
  }

  /**
   * Issues a draft (the provider): it is posted to the ledger (provider receivable, consumer payable) and the
   * consumer is told. Issuing twice is a 409 (`illegal-transition`) unless the retry carries the first request's
   * `Idempotency-Key`; a closed period refuses it (409 `period-not-open`).
   */
  @Roles('finance', 'org_admin')
  @Scopes('charges:write')
  @Idempotent()
  @Post(':id/issue')
  @HttpCode(HttpStatus.OK)
  issue(@CurrentActor() actor: Actor, @Param('id', ParseUUIDPipe) id: string): Promise<CrossChargeDetailDto> {
    return this.charges.issue(actor, id);
  }

  /** Approves an issued charge (the consumer); refused (409) while any dispute on it awaits a decision. */
  @Roles('finance', 'org_admin')
  @Scopes('charges:write')
  @Idempotent()
  @Post(':id/approve')
  @HttpCode(HttpStatus.OK)
  approve(
    @CurrentActor() actor: Actor,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<CrossChargeDetailDto> {
    return this.charges.approve(actor, id);
  }

  /** Disputes one line with a reason (the consumer): the charge is disputed until every dispute is decided. */
  @Roles('finance', 'org_admin')
  @Scopes('charges:write')
  @Idempotent()
  @Post(':id/lines/:lineId/dispute')
  dispute(
    @CurrentActor() actor: Actor,
    @Param('id', ParseUUIDPipe) id: string,
    @Param('lineId', ParseUUIDPipe) lineId: string,
    @Body() body: DisputeReasonDto,
  ): Promise<DisputeDto> {
    return this.charges.dispute(actor, id, lineId, body);
  }
}

/** Issuing a provider's charges for a whole billing period at once. */
@ApiTags('cross-charges')
@ApiBearerAuth('bearer')
@ApiSecurity('api-key')
@Controller('billing-periods')
export class BillingPeriodChargesController {
  constructor(private readonly charges: CrossChargesService) {}

  /** Issues every draft your organisation provides in the period, each posted to the ledger; returns those issued. */
  @Roles('finance', 'org_admin')
  @Scopes('charges:write')
  @Idempotent()
  @Post(':id/issue-charges')
  @HttpCode(HttpStatus.OK)
  issueCharges(
    @CurrentActor() actor: Actor,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<IssuedChargesDto> {
    return this.charges.issueForPeriod(actor, id);
  }
}

/** Credit notes: corrections of charge lines, each posted to the ledger as a reversing entry. */
@ApiTags('cross-charges')
@ApiBearerAuth('bearer')
@ApiSecurity('api-key')
@Controller('credit-notes')
export class CreditNotesController {
  constructor(private readonly charges: CrossChargesService) {}

  /**
   * Credit notes on the charges you may see (as for `GET /cross-charges`), newest first: `direction=to_us` for
   * credits your organisation received, `from_us` for those it gave; filter by `consortiumId` and
   * `billingPeriodId`. Sort by `createdAt`, `grossMinor` or `reference`.
   */
  @Scopes('charges:read', 'charges:write')
  @Get()
  list(@CurrentActor() actor: Actor, @Query() query: CreditNoteListQuery): Promise<CreditNotePageDto> {
    return this.charges.listCreditNotes(actor, query);
  }
}
