import { MEMBERSHIP_STATUSES, type MembershipStatus, type OrganisationType } from '@consortium/domain';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';
import { PageInfo, PageQuery } from '../../../common/pagination';

const trimmed = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class MemberListQuery extends PageQuery {
  /** Only members with this status. Members see active and suspended members; administrators see every status. */
  @IsOptional()
  @IsIn(MEMBERSHIP_STATUSES)
  status?: MembershipStatus;
}

/** An organisation's membership of a consortium. */
export class MemberDto {
  /** The membership's id. */
  id!: string;
  consortiumId!: string;
  organisationId!: string;
  organisationName!: string;
  organisationType!: OrganisationType;
  status!: MembershipStatus;
  /** The note or reason given with the last change (shown to the consortium's administrators and the organisation itself). */
  note!: string | null;
  /** When the organisation last became a member. */
  joinedAt!: Date | null;
  /** When it left. */
  leftAt!: Date | null;
  createdAt!: Date;
  updatedAt!: Date;
}

export class MemberPageDto {
  data!: MemberDto[];
  page!: PageInfo;
}

export class JoinRequestDto {
  /** Why your organisation wants to join, for the consortium's administrators. */
  @IsOptional()
  @Transform(trimmed)
  @IsString()
  @MinLength(1)
  @MaxLength(2000)
  note?: string;
}

export class InvitationDto {
  /** The organisation to invite. */
  @IsUUID()
  organisationId!: string;

  /** A message for the invited organisation. */
  @IsOptional()
  @Transform(trimmed)
  @IsString()
  @MinLength(1)
  @MaxLength(2000)
  note?: string;
}

export class MembershipDecisionDto {
  /** Why: kept as the membership's note and in the audit trail. */
  @IsOptional()
  @Transform(trimmed)
  @IsString()
  @MinLength(1)
  @MaxLength(2000)
  reason?: string;
}
