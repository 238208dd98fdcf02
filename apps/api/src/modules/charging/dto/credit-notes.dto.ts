import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { PageInfo, PageQuery } from '../../../common/pagination';
import {
  CHARGE_DIRECTIONS,
  type ChargeDirection,
  ChargePartyDto,
  ChargePeriodDto,
  CreditNoteDto,
} from './cross-charges.dto';

export class CreditNoteListQuery extends PageQuery {
  @IsOptional()
  @IsUUID()
  consortiumId?: string;

  @IsOptional()
  @IsUUID()
  billingPeriodId?: string;

  /** `to_us`: credits your organisation received (it was charged); `from_us`: credits it gave (it charged). */
  @ApiPropertyOptional({ enum: CHARGE_DIRECTIONS })
  @IsOptional()
  @IsIn(CHARGE_DIRECTIONS)
  direction?: ChargeDirection;
}

/** A credit note with the charge it corrects: who charged whom, in which period. */
export class CreditNoteSummaryDto extends CreditNoteDto {
  /** The reference of the corrected cross-charge. */
  crossChargeReference!: string;
  consortiumId!: string;
  billingPeriod!: ChargePeriodDto;
  provider!: ChargePartyDto;
  consumer!: ChargePartyDto;
  /** From the caller's side: `to_us` when its organisation was charged, `from_us` when it charged. */
  @ApiProperty({ enum: CHARGE_DIRECTIONS, nullable: true, type: String })
  direction!: ChargeDirection | null;
}

export class CreditNotePageDto {
  data!: CreditNoteSummaryDto[];
  page!: PageInfo;
}
