import {
  CROSS_CHARGE_STATUSES,
  type CrossChargeStatus,
  DISPUTE_STATUSES,
  type DisputeStatus,
} from '@consortium/domain';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID, Matches } from 'class-validator';
import { PageInfo, PageQuery } from '../../../common/pagination';
import { MoneyDto } from '../../catalogue/dto/quote.dto';

export const CHARGE_DIRECTIONS = ['to_us', 'from_us'] as const;
export type ChargeDirection = (typeof CHARGE_DIRECTIONS)[number];

const PENCE = /^\d{1,15}$/;

/**
 * Filters for the cross-charge list. Name the period by `billingPeriodId`, or by `periodKey` with `consortiumId`.
 * Sort by `createdAt` (default `-createdAt`), `grossMinor` or `reference`.
 */
export class CrossChargeListQuery extends PageQuery {
  @IsOptional()
  @IsUUID()
  consortiumId?: string;

  @IsOptional()
  @IsUUID()
  billingPeriodId?: string;

  /** A period key such as `2026-11` or `2026-Q4`; needs `consortiumId`. */
  @ApiPropertyOptional({ maxLength: 7, example: '2026-Q4' })
  @IsOptional()
  @Matches(/^\d{4}-(0[1-9]|1[0-2]|Q[1-4])$/, {
    message: 'periodKey must be a period such as 2026-11 or 2026-Q4',
  })
  periodKey?: string;

  /** `to_us`: charges your organisation receives (you are the consumer); `from_us`: charges it raises. */
  @ApiPropertyOptional({ enum: CHARGE_DIRECTIONS })
  @IsOptional()
  @IsIn(CHARGE_DIRECTIONS)
  direction?: ChargeDirection;

  /** The other organisation of the charge. */
  @IsOptional()
  @IsUUID()
  counterpartyId?: string;

  @ApiPropertyOptional({ enum: CROSS_CHARGE_STATUSES })
  @IsOptional()
  @IsIn(CROSS_CHARGE_STATUSES)
  status?: CrossChargeStatus;

  /** Least gross amount, in pence, as an integer string. */
  @ApiPropertyOptional({ maxLength: 15, example: '10000' })
  @IsOptional()
  @Matches(PENCE, { message: 'minAmount must be a whole number of pence' })
  minAmount?: string;

  /** Greatest gross amount, in pence, as an integer string. */
  @ApiPropertyOptional({ maxLength: 15, example: '5000000' })
  @IsOptional()
  @Matches(PENCE, { message: 'maxAmount must be a whole number of pence' })
  maxAmount?: string;
}

export class ChargePartyDto {
  id!: string;
  name!: string;
}

/** Another charge of the same pair and period: the original a supplementary charge adds to, or a supplement. */
export class RelatedChargeDto {
  id!: string;
  /** e.g. `ECIC-2026-Q4-0018`, or `ECIC-2026-Q4-0018-S1` for its first supplementary charge. */
  reference!: string;
}

export class ChargePeriodDto {
  id!: string;
  /** e.g. `2026-11` or `2026-Q4`. */
  key!: string;
  @ApiProperty({ format: 'date' })
  startDate!: string;
  @ApiProperty({ format: 'date' })
  endDate!: string;
}

export class CrossChargeDto {
  id!: string;
  /** The finance teams' reference, e.g. `ECIC-2026-11-0042`. */
  reference!: string;
  consortiumId!: string;
  billingPeriod!: ChargePeriodDto;
  provider!: ChargePartyDto;
  consumer!: ChargePartyDto;
  /** From the caller's organisation's side: `to_us` when it is the consumer, `from_us` when it is the provider. */
  @ApiProperty({ enum: CHARGE_DIRECTIONS, nullable: true, type: String })
  direction!: ChargeDirection | null;
  @ApiProperty({ enum: CROSS_CHARGE_STATUSES })
  status!: CrossChargeStatus;
  net!: MoneyDto;
  vat!: MoneyDto;
  gross!: MoneyDto;
  issuedAt!: Date | null;
  approvedAt!: Date | null;
  createdAt!: Date;
  /**
   * Set on a supplementary charge: the original it adds to. A supplementary charge holds what was reported or
   * changed after the original left draft (late usage, a subscription that started later, a quantity change),
   * each line the difference to what is already charged; it is reviewed like any other charge.
   */
  @ApiProperty({ type: RelatedChargeDto, nullable: true })
  supplementOf!: RelatedChargeDto | null;
}

export class CrossChargePageDto {
  data!: CrossChargeDto[];
  page!: PageInfo;
}

export class CrossChargeLineDto {
  id!: string;
  subscriptionId!: string;
  serviceId!: string;
  serviceTitle!: string;
  priceVersionId!: string;
  /** The price version's number within its service. */
  priceVersion!: number;
  /** e.g. `base`, `tier:2`, `usage:storage_gb`, `setup_fee`. */
  lineKey!: string;
  kind!: string;
  description!: string;
  /** Exact decimal quantity. */
  quantity!: string;
  /** Exact unit rate in pounds, when the line has one. */
  unitRate!: string | null;
  net!: MoneyDto;
  vat!: MoneyDto;
  gross!: MoneyDto;
  vatTreatment!: string;
  /** What credit notes have taken off this line so far (gross). */
  credited!: MoneyDto;
  /** How the line was computed: proration days, tier bounds, usage total and allowance. */
  @ApiProperty({ type: Object, additionalProperties: true })
  detail!: Record<string, unknown>;
}

export class DisputeDto {
  id!: string;
  crossChargeId!: string;
  crossChargeLineId!: string;
  @ApiProperty({ enum: DISPUTE_STATUSES })
  status!: DisputeStatus;
  reason!: string;
  /** The provider's or the consortium administrator's reasons for the decision. */
  resolution!: string | null;
  raisedByUserId!: string | null;
  resolvedAt!: Date | null;
  createdAt!: Date;
  updatedAt!: Date;
}

export class CreditNoteDto {
  id!: string;
  reference!: string;
  crossChargeId!: string;
  crossChargeLineId!: string | null;
  disputeId!: string | null;
  reason!: string;
  net!: MoneyDto;
  vat!: MoneyDto;
  gross!: MoneyDto;
  /** The reversing ledger entry that posted it. */
  journalEntryId!: string;
  createdAt!: Date;
}

export class ChargeCommentDto {
  id!: string;
  crossChargeId!: string;
  /** The dispute the comment belongs to, when it records a step of one. */
  disputeId!: string | null;
  organisationId!: string;
  authorLabel!: string;
  body!: string;
  createdAt!: Date;
}

export class CrossChargeDetailDto extends CrossChargeDto {
  /** Gross of every credit note against the charge. */
  credited!: MoneyDto;
  lines!: CrossChargeLineDto[];
  disputes!: DisputeDto[];
  creditNotes!: CreditNoteDto[];
  /** The comment thread, oldest first. */
  comments!: ChargeCommentDto[];
  /** On an original: its supplementary charges you can see, oldest first. */
  supplements!: RelatedChargeDto[];
  /**
   * What the supplementary charges hold, in words, e.g. "3 storage_gb in 2 reports reported after
   * ECIC-2026-Q4-0018 was issued…, charged on ECIC-2026-Q4-0018-S1".
   */
  @ApiProperty({ type: [String], maxItems: 10000 })
  supplementNotes!: string[];
}

export class IssuedChargesDto {
  /** The charges this request issued. */
  data!: CrossChargeDto[];
}
