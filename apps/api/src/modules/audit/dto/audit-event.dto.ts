import { IsISO8601, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { PageInfo, PageQuery } from '../../../common/pagination';
import type { ActorType } from '../audit-event.entity';

export class AuditEventListQuery extends PageQuery {
  /**
   * A consortium you administer, to see that consortium's events. Without administering it, it only narrows
   * your own organisation's events to that consortium.
   */
  @IsOptional()
  @IsUUID()
  consortiumId?: string;

  /** e.g. `membership.approved`. */
  @IsOptional()
  @IsString()
  @MaxLength(100)
  action?: string;

  /** e.g. `membership`, `organisation`, `user`. */
  @IsOptional()
  @IsString()
  @MaxLength(100)
  entityType?: string;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  entityId?: string;

  /** The user or API key that acted. */
  @IsOptional()
  @IsUUID()
  actorId?: string;

  /** Events at or after this time (ISO 8601). */
  @IsOptional()
  @MaxLength(35)
  @IsISO8601({ strict: true })
  from?: string;

  /** Events before this time (ISO 8601, exclusive). */
  @IsOptional()
  @MaxLength(35)
  @IsISO8601({ strict: true })
  to?: string;
}

/** One recorded change. */
export class AuditEventDto {
  id!: string;
  occurredAt!: Date;
  actorType!: ActorType;
  /** The user or API key; null for the system. */
  actorId!: string | null;
  /** The actor's email or key prefix at the time. */
  actorLabel!: string;
  /** The organisation the change belongs to. */
  organisationId!: string | null;
  /** The consortium the change belongs to, if any. */
  consortiumId!: string | null;
  /** e.g. `membership.approved`. */
  action!: string;
  entityType!: string;
  entityId!: string;
  /** What changed, usually `{ field: { from, to } }`. */
  changes!: Record<string, unknown>;
  /** The request that made the change (the `x-request-id` response header). */
  requestId!: string | null;
}

export class AuditEventPageDto {
  data!: AuditEventDto[];
  page!: PageInfo;
}
