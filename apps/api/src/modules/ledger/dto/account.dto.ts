import {
  BILLING_PERIOD_STATUSES,
  type BillingPeriodStatus,
  JOURNAL_ENTRY_KINDS,
  type JournalEntryKind,
  LEDGER_ACCOUNT_KINDS,
  type LedgerAccountKind,
} from '@consortium/domain';
import { ApiProperty } from '@nestjs/swagger';
import { IsOptional, IsUUID } from 'class-validator';
import { PageInfo, PageQuery } from '../../../common/pagination';

/**
 * Balances in integer minor units (pence) as strings. `receivableMinor` is what others owe the member (debits
 * positive), `payableMinor` what it owes (credits negative); `netMinor` is their sum: positive when the member is
 * owed, negative when it owes.
 */
export class AccountBalanceDto {
  @ApiProperty({ example: '1250000' })
  receivableMinor!: string;
  @ApiProperty({ example: '-830000' })
  payableMinor!: string;
  @ApiProperty({ example: '420000' })
  netMinor!: string;
  /** How many postings these balances add up. */
  postingCount!: number;
}

export class AccountPeriodBalanceDto extends AccountBalanceDto {
  billingPeriodId!: string;
  /** `2026-11` or `2026-Q4`. */
  key!: string;
  /** "Q4 2026 (October to December)". */
  label!: string;
  @ApiProperty({ enum: BILLING_PERIOD_STATUSES })
  status!: BillingPeriodStatus;
  @ApiProperty({ format: 'date' })
  startDate!: string;
  @ApiProperty({ format: 'date' })
  endDate!: string;
}

/** A member's position in a consortium's ledger: to date and per period (oldest first). */
export class AccountDto {
  consortiumId!: string;
  organisationId!: string;
  organisationName!: string;
  currency!: string;
  toDate!: AccountBalanceDto;
  periods!: AccountPeriodBalanceDto[];
}

export class AccountEntryListQuery extends PageQuery {
  /** Only postings of this billing period. */
  @IsOptional()
  @IsUUID()
  billingPeriodId?: string;

  /** Only postings with this counterparty organisation. */
  @IsOptional()
  @IsUUID()
  counterpartyId?: string;
}

/** One posting to the member's accounts, with the running balance of the listed postings up to it. */
export class AccountEntryDto {
  /** The posting's id (increasing in posting order). */
  id!: string;
  journalEntryId!: string;
  @ApiProperty({ enum: JOURNAL_ENTRY_KINDS })
  kind!: JournalEntryKind;
  description!: string;
  /** What the entry records, e.g. `cross_charge`, `credit_note`, `settlement_payment`. */
  sourceType!: string;
  sourceId!: string;
  /** The entry this one corrects, for reversals and credit notes. */
  reversesEntryId!: string | null;
  billingPeriodId!: string;
  billingPeriodKey!: string;
  @ApiProperty({ enum: LEDGER_ACCOUNT_KINDS })
  accountKind!: LedgerAccountKind;
  counterpartyOrganisationId!: string | null;
  counterpartyName!: string | null;
  /** Signed minor units: positive adds to what the member is owed, negative to what it owes. */
  @ApiProperty({ example: '-125000' })
  amountMinor!: string;
  currency!: string;
  /**
   * The sum of the listed postings up to and including this one, in posting order, over the whole filtered list
   * (not just this page): with no filters, the member's net position after it.
   */
  @ApiProperty({ example: '295000' })
  runningBalanceMinor!: string;
  postedAt!: Date;
}

export class AccountEntryPageDto {
  data!: AccountEntryDto[];
  page!: PageInfo;
}
