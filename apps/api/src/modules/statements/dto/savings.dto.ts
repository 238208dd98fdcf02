import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsUUID } from 'class-validator';
import { MoneyDto } from '../../catalogue/dto/quote.dto';
import { StatementPartyDto } from './statement.dto';

export class SavingsQuery {
  @IsUUID()
  consortiumId!: string;

  /** The member; your own organisation by default (a consortium admin may name any member). */
  @IsOptional()
  @IsUUID()
  organisationId?: string;
}

export class SavingsFiguresDto {
  /** The in-house baseline for the span. */
  baseline!: MoneyDto;
  /** What was charged for it: the lines' gross less credit notes against them. */
  charged!: MoneyDto;
  /** baseline − charged: negative when the service cost more than doing it in-house. */
  savings!: MoneyDto;
  /** savings ÷ baseline as a percentage to one decimal place, e.g. "34.5"; null without a baseline. */
  @ApiPropertyOptional({ type: String, nullable: true, example: '34.5' })
  savingsPercentage!: string | null;
}

export class PeriodSavingsDto extends SavingsFiguresDto {
  billingPeriodId!: string;
  key!: string;
}

export class SubscriptionSavingsDto {
  subscriptionId!: string;
  service!: StatementPartyDto;
  provider!: StatementPartyDto;
  /** What the member would spend a year to run the service itself. */
  baselineAnnual!: MoneyDto;
  /** Each period the subscription was charged for, oldest first. */
  periods!: PeriodSavingsDto[];
  toDate!: SavingsFiguresDto;
}

export class MemberSavingsDto {
  consortiumId!: string;
  organisation!: StatementPartyDto;
  subscriptions!: SubscriptionSavingsDto[];
  /** Every subscription together, per period. */
  byPeriod!: PeriodSavingsDto[];
  @ApiProperty({ description: 'Every subscription together, to date' })
  toDate!: SavingsFiguresDto;
}

export class ConsortiumSavingsDto {
  consortiumId!: string;
  /** Each member with at least one subscription with a baseline. */
  members!: MemberSavingsDto[];
  byPeriod!: PeriodSavingsDto[];
  toDate!: SavingsFiguresDto;
}
