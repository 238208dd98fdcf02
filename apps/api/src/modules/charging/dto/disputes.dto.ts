import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { IsOmittable } from '../../../common/validation';
import { CreditNoteDto, DisputeDto } from './cross-charges.dto';

const trimmed = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
const PENCE = /^\d{1,15}$/;

/** Why: the other side reads it, and it stays in the charge's comment thread. */
export class DisputeReasonDto {
  @ApiProperty({
    example: 'We ended the second site on 14 October; the line charges it for the whole month.',
  })
  @Transform(trimmed)
  @IsString()
  @MinLength(3)
  @MaxLength(2000)
  reason!: string;
}

/** The provider accepts: a credit note for the whole line, or for the difference to a corrected net amount. */
export class AcceptDisputeDto extends DisputeReasonDto {
  /** What the line's net should have been, in pence (integer string); leave out to credit the whole line. */
  @ApiPropertyOptional({ maxLength: 15, example: '125000' })
  @IsOmittable()
  @Matches(PENCE, { message: 'correctedNetMinor must be a whole number of pence, as a string' })
  correctedNetMinor?: string;
}

/** The consortium administrator upholds: a credit note for the whole line, or for part of its net amount. */
export class UpholdDisputeDto extends DisputeReasonDto {
  /** Net amount to credit, in pence (integer string); leave out to credit the whole line. */
  @ApiPropertyOptional({ maxLength: 15, example: '25000' })
  @IsOmittable()
  @Matches(PENCE, { message: 'creditNetMinor must be a whole number of pence, as a string' })
  creditNetMinor?: string;
}

export class DisputeOutcomeDto {
  dispute!: DisputeDto;
  /** The credit note the decision raised, if it raised one. */
  creditNote!: CreditNoteDto | null;
  /** The cross-charge's status after the decision. */
  crossChargeStatus!: string;
}
