import { MIN_PASSWORD_LENGTH } from '@consortium/auth';
import { ORGANISATION_ROLES, type OrganisationRole } from '@consortium/domain';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsEmail,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
  MinLength,
} from 'class-validator';
import { PageInfo, PageQuery } from '../../../common/pagination';
import { IsOmittable } from '../../../common/validation';
import { USER_STATUSES, type UserStatus } from '../user.entity';

const trimmed = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class UserListQuery extends PageQuery {
  /** Only users holding this role. */
  @IsOptional()
  @IsIn(ORGANISATION_ROLES)
  role?: OrganisationRole;

  @IsOptional()
  @IsIn(USER_STATUSES)
  status?: UserStatus;

  /** Part of the name or email, case-insensitive. */
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;

  /** Superadmins only: list another organisation's users (default: your own). */
  @IsOptional()
  @IsUUID()
  organisationId?: string;
}

export class CreateUserDto {
  /** Stored lower-case; must not belong to another user. */
  @Transform(({ value }) => (typeof value === 'string' ? value.trim().toLowerCase() : value))
  @IsEmail()
  @MaxLength(320)
  email!: string;

  @Transform(trimmed)
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name!: string;

  /** At least one of the organisation roles. */
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(ORGANISATION_ROLES.length)
  @ArrayUnique()
  @IsIn(ORGANISATION_ROLES, { each: true })
  roles!: OrganisationRole[];

  /** At least 12 characters. Never returned or audited. */
  @IsString()
  @MinLength(MIN_PASSWORD_LENGTH)
  @MaxLength(1024)
  password!: string;

  /** Superadmins only: create the user in another organisation (default: your own). */
  @IsOptional()
  @IsUUID()
  organisationId?: string;
}

export class UpdateUserDto {
  @IsOmittable()
  @Transform(trimmed)
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name?: string;

  @IsOmittable()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(ORGANISATION_ROLES.length)
  @ArrayUnique()
  @IsIn(ORGANISATION_ROLES, { each: true })
  roles?: OrganisationRole[];

  /** `disabled` stops the user signing in and ends their sessions. */
  @IsOmittable()
  @IsIn(USER_STATUSES)
  status?: UserStatus;
}

/** A user as the API shows it: never the password hash. */
export class UserDto {
  id!: string;
  organisationId!: string;
  email!: string;
  name!: string;
  roles!: OrganisationRole[];
  status!: UserStatus;
  /** Platform administrator (granted only from the command line). */
  isSuperadmin!: boolean;
  lastLoginAt!: Date | null;
  createdAt!: Date;
  updatedAt!: Date;
}

export class UserPageDto {
  data!: UserDto[];
  page!: PageInfo;
}
