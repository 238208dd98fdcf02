import {
  COMPLIANCE_KINDS,
  type ComplianceKind,
  type ComplianceStanding,
  ORGANISATION_TYPES,
  type OrganisationType,
  SERVICE_STATUSES,
  type ServiceStatus,
} from '@consortium/domain';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  MinLength,
} from 'class-validator';
import { PageInfo, PageQuery } from '../../../common/pagination';
import { COMPLIANCE_STATUSES, type ComplianceStatus } from '../compliance-status';

const trimmed = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const STANDINGS: ComplianceStanding[] = ['valid', 'expiring', 'expired'];

export class CreateAttestationDto {
  @IsIn(COMPLIANCE_KINDS)
  @ApiProperty({ enum: COMPLIANCE_KINDS })
  kind!: ComplianceKind;

  /** The certificate's number or reference as the certifying body issued it. */
  @Transform(trimmed)
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  certificateReference!: string;

  /** YYYY-MM-DD. */
  @ApiProperty({ format: 'date', example: '2025-04-01' })
  @Matches(ISO_DATE, { message: 'issuedOn must be a date as YYYY-MM-DD' })
  issuedOn!: string;

  /** YYYY-MM-DD, on or after `issuedOn`. The certificate is valid through this day. */
  @ApiProperty({ format: 'date', example: '2026-03-31' })
  @Matches(ISO_DATE, { message: 'expiresOn must be a date as YYYY-MM-DD' })
  expiresOn!: string;

  /** Whether the service depends on it: an expired required certificate makes the service non-compliant. Default true. */
  @IsOptional()
  @IsBoolean()
  required?: boolean;
}

/** A certificate a service holds, with how close it is to lapsing. */
export class AttestationDto {
  id!: string;
  serviceId!: string;
  @ApiProperty({ enum: COMPLIANCE_KINDS })
  kind!: ComplianceKind;
  certificateReference!: string;
  @ApiProperty({ format: 'date' })
  issuedOn!: string;
  @ApiProperty({ format: 'date' })
  expiresOn!: string;
  required!: boolean;
  /** `expired` after its expiry date, `expiring` within 30 days of it, otherwise `valid` (UK calendar days). */
  @ApiProperty({ enum: STANDINGS })
  standing!: ComplianceStanding;
  createdAt!: Date;
}

/** A service's compliance: every attestation, and where the required ones leave the service. */
export class ServiceComplianceDto {
  /**
   * `non_compliant` when a required certificate has expired, `expiring` when one expires within 30 days,
   * otherwise `compliant`. For each kind only the latest-expiring required certificate counts, so a renewal
   * supersedes the certificate it replaces. Certificates that are not required never change the status.
   */
  @ApiProperty({ enum: COMPLIANCE_STATUSES })
  status!: ComplianceStatus;
  attestations!: AttestationDto[];
}

export class ConsortiumComplianceQuery extends PageQuery {
  @IsOptional()
  @IsIn(STANDINGS)
  @ApiPropertyOptional({ enum: STANDINGS })
  standing?: ComplianceStanding;

  @IsOptional()
  @IsIn(COMPLIANCE_KINDS)
  @ApiPropertyOptional({ enum: COMPLIANCE_KINDS })
  kind?: ComplianceKind;

  /** Only the services of this provider organisation. */
  @IsOptional()
  @IsUUID()
  providerId?: string;
}

export class ComplianceProviderDto {
  id!: string;
  name!: string;
  @ApiProperty({ enum: ORGANISATION_TYPES })
  type!: OrganisationType;
}

/** An attestation as the consortium's compliance register shows it, with its service and provider. */
export class ConsortiumAttestationDto extends AttestationDto {
  serviceTitle!: string;
  @ApiProperty({ enum: SERVICE_STATUSES })
  serviceStatus!: ServiceStatus;
  provider!: ComplianceProviderDto;
}

export class ConsortiumAttestationPageDto {
  data!: ConsortiumAttestationDto[];
  page!: PageInfo;
}
