import { OrganisationRole } from '@consortium/domain';
import { IsEmail, IsString, MaxLength, MinLength } from 'class-validator';

export class LoginDto {
  @IsEmail()
  @MaxLength(320)
  email!: string;

  @IsString()
  @MinLength(1)
  @MaxLength(1024)
  password!: string;
}

export class RefreshDto {
  /** The refresh token from the last login or refresh. It is single-use: each refresh returns a new one. */
  @IsString()
  @MinLength(20)
  @MaxLength(200)
  refreshToken!: string;
}

export class TokenPairDto {
  /** Bearer token for API calls. */
  accessToken!: string;
  tokenType!: 'Bearer';
  /** Seconds until the access token expires. */
  expiresIn!: number;
  /** Single-use token for POST /auth/refresh. */
  refreshToken!: string;
  /** When the refresh token expires. */
  refreshTokenExpiresAt!: Date;
}

export class MeDto {
  kind!: 'user' | 'api_key';
  id!: string;
  label!: string;
  organisationId!: string;
  roles!: OrganisationRole[];
  scopes!: string[];
  isSuperadmin!: boolean;
  consortiumAdminOf!: string[];
  activeConsortia!: string[];
}
