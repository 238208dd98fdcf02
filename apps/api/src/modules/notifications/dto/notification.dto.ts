import { IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { PageInfo, PageQuery } from '../../../common/pagination';

export class NotificationListQuery extends PageQuery {
  /** `true` for unread notifications only, `false` for read ones only; all when left out. */
  @IsOptional()
  @IsIn(['true', 'false'])
  unread?: 'true' | 'false';

  /** Only this kind, e.g. `subscription.requested` or `compliance.expiring`. */
  @IsOptional()
  @IsString()
  @MaxLength(100)
  @Matches(/^[a-z][a-z_]*(\.[a-z][a-z_]*)*$/, { message: 'kind must look like subscription.requested' })
  kind?: string;
}

/** An in-app message to your organisation about something that needs its attention. */
export class NotificationDto {
  id!: string;
  organisationId!: string;
  /** The consortium the event belongs to, when it belongs to one. */
  consortiumId!: string | null;
  /** What happened, e.g. `subscription.requested`, `subscription.approved`, `compliance.expiring`. */
  kind!: string;
  title!: string;
  body!: string;
  /** What the notification is about, e.g. `subscription` or `compliance_attestation`. */
  entityType!: string;
  entityId!: string;
  /** When someone in your organisation marked it read; null while unread. */
  readAt!: Date | null;
  createdAt!: Date;
}

export class NotificationPageDto {
  data!: NotificationDto[];
  page!: PageInfo;
}

export class MarkedReadDto {
  /** How many notifications this call marked read (those already read are not counted). */
  marked!: number;
}
