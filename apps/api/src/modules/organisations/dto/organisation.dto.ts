import { MIN_PASSWORD_LENGTH } from '@consortium/auth';
import { ORGANISATION_TYPES, type OrganisationType } from '@consortium/domain';
import { Transform, Type } from 'class-transformer';
import {
  IsDefined,
  IsEmail,
  IsIn,
  IsOptional,
  IsString,
  MaxLength,
  MinLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { PageInfo, PageQuery } from '../../../common/pagination';
import { IsOmittable } from '../../../common/validation';

/** The same rule as for every other user's password (see the users module). */

const trimmed = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
const trimmedLowerCase = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.trim().toLowerCase() : value;

export class OrganisationListQuery extends PageQuery {
  /** Only organisations of this type. */
  @IsOptional()
  @IsIn(ORGANISATION_TYPES)
  type?: OrganisationType;

  /** Only organisations in this region (exact, case-insensitive), e.g. `East of England`. */
  @IsOptional()
  @IsString()
  @MaxLength(200)
  region?: string;

  /** Part of the name, case-insensitive. */
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;
}

/** A public body (or partner) that can belong to consortia. */
export class OrganisationDto {
  id!: string;
  name!: string;
  type!: OrganisationType;
  /** e.g. `East of England`. */
  region!: string;
  contactName!: string | null;
  contactEmail!: string | null;
  contactPhone!: string | null;
  createdAt!: Date;
  updatedAt!: Date;
}

export class OrganisationPageDto {
  data!: OrganisationDto[];
  page!: PageInfo;
}

/** Contact fields may be cleared with `null`. */
export class UpdateOrganisationDto {
  @IsOmittable()
  @Transform(trimmed)
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name?: string;

  /** Only a superadmin may change an organisation's type. */
  @IsOmittable()
  @IsIn(ORGANISATION_TYPES)
  type?: OrganisationType;

  @IsOmittable()
  @Transform(trimmed)
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  region?: string;

  @ValidateIf((_, value) => value !== null && value !== undefined)
  @Transform(trimmed)
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  contactName?: string | null;

  @ValidateIf((_, value) => value !== null && value !== undefined)
  @Transform(trimmedLowerCase)
  @IsEmail()
  @MaxLength(320)
  contactEmail?: string | null;

  @ValidateIf((_, value) => value !== null && value !== undefined)
  @Transform(trimmed)
  @IsString()
  @MinLength(3)
  @MaxLength(50)
  contactPhone?: string | null;
}

/** The organisation's first administrator, who then adds everyone else. */
export class FirstOrganisationAdminDto {
  /** Stored lower-case; must be new to the platform. */
  @Transform(trimmedLowerCase)
  @IsEmail()
  @MaxLength(320)
  email!: string;

  @Transform(trimmed)
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name!: string;

  /** At least 12 characters. Never returned or audited. */
  @IsString()
  @MinLength(MIN_PASSWORD_LENGTH)
  @MaxLength(1024)
  password!: string;
}

export class CreateOrganisationDto {
  @Transform(trimmed)
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name!: string;

  @IsIn(ORGANISATION_TYPES)
  type!: OrganisationType;

  @Transform(trimmed)
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  region!: string;

  @IsOptional()
  @Transform(trimmed)
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  contactName?: string;

  @IsOptional()
  @Transform(trimmedLowerCase)
  @IsEmail()
  @MaxLength(320)
  contactEmail?: string;

  @IsOptional()
  @Transform(trimmed)
  @IsString()
  @MinLength(3)
  @MaxLength(50)
  contactPhone?: string;

  /** The first user, created with the `org_admin` role. */
  @IsDefined()
  @ValidateNested()
  @Type(() => FirstOrganisationAdminDto)
  admin!: FirstOrganisationAdminDto;
}

export class OrganisationAdminUserDto {
  id!: string;
  email!: string;
  name!: string;
  roles!: string[];
}

export class CreatedOrganisationDto extends OrganisationDto {
  /** The first administrator, who can now sign in. */
  admin!: OrganisationAdminUserDto;
}
