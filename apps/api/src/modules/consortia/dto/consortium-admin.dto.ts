import { IsUUID } from 'class-validator';
import { PageInfo, PageQuery } from '../../../common/pagination';

export class AddConsortiumAdminDto {
  /** A user of an active member organisation. */
  @IsUUID()
  userId!: string;
}

export class ConsortiumAdminListQuery extends PageQuery {}

/** A user who administers the consortium. */
export class ConsortiumAdminDto {
  userId!: string;
  name!: string;
  email!: string;
  organisationId!: string;
  organisationName!: string;
  /** When the user became an administrator. */
  grantedAt!: Date;
}

export class ConsortiumAdminPageDto {
  data!: ConsortiumAdminDto[];
  page!: PageInfo;
}
