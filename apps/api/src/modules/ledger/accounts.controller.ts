import { type Actor, CurrentActor, Roles, Scopes } from '@consortium/auth';
import { Controller, Get, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { AccountsService } from './accounts.service';
import { AccountDto, AccountEntryListQuery, AccountEntryPageDto } from './dto/account.dto';

/**
 * A member's accounts in a consortium's ledger: balances to date and per period, and the postings behind them.
 * Your organisation's finance and administrators (or an API key with ledger:read) see its own; the consortium's
 * administrators see any member's.
 */
@ApiTags('ledger')
@ApiBearerAuth('bearer')
@ApiSecurity('api-key')
@Roles('finance', 'org_admin', 'consortium_admin', 'superadmin')
@Scopes('ledger:read')
@Controller('consortia/:consortiumId/accounts')
export class AccountsController {
  constructor(private readonly accounts: AccountsService) {}

  /** Your organisation's account in the consortium. */
  @Get('me')
  mine(
    @CurrentActor() actor: Actor,
    @Param('consortiumId', ParseUUIDPipe) consortiumId: string,
  ): Promise<AccountDto> {
    return this.accounts.account(actor, consortiumId, actor.organisationId);
  }

  /**
   * The postings of your organisation's accounts, in posting order (`sort=-postedAt` for newest first), each with
   * the running balance of the filtered list. Filter by `billingPeriodId` and `counterpartyId`.
   */
  @Get('me/entries')
  myEntries(
    @CurrentActor() actor: Actor,
    @Param('consortiumId', ParseUUIDPipe) consortiumId: string,
    @Query() query: AccountEntryListQuery,
  ): Promise<AccountEntryPageDto> {
    return this.accounts.entries(actor, consortiumId, actor.organisationId, query);
  }

  /** A member's account: your own organisation's, or any member's for the consortium's administrators. */
  @Get(':organisationId')
  account(
    @CurrentActor() actor: Actor,
    @Param('consortiumId', ParseUUIDPipe) consortiumId: string,
    @Param('organisationId', ParseUUIDPipe) organisationId: string,
  ): Promise<AccountDto> {
    return this.accounts.account(actor, consortiumId, organisationId);
  }

  /** A member's postings with running balance, as for `me/entries`. */
  @Get(':organisationId/entries')
  entries(
    @CurrentActor() actor: Actor,
    @Param('consortiumId', ParseUUIDPipe) consortiumId: string,
    @Param('organisationId', ParseUUIDPipe) organisationId: string,
    @Query() query: AccountEntryListQuery,
  ): Promise<AccountEntryPageDto> {
    return this.accounts.entries(actor, consortiumId, organisationId, query);
  }
}
