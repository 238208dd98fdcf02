import type { Actor } from '@consortium/auth';
import { addDays, EXPIRY_WARNING_DAYS, isIsoDate } from '@consortium/domain';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In } from 'typeorm';
import { paginate, type Page, type SortSpec } from '../../common/pagination';
import { conflict, invalid, notFound, type ProblemFieldError } from '../../common/problem';
import { AuditService } from '../audit/audit.service';
import { canSeeConsortium } from '../consortia/consortium-access';
import { Organisation } from '../organisations/organisation.entity';
import { ComplianceAttestation } from './compliance-attestation.entity';
import { ukToday } from './compliance-status';
import {
  AttestationDto,
  ConsortiumAttestationDto,
  ConsortiumComplianceQuery,
  CreateAttestationDto,
} from './dto/compliance.dto';
import { findOwnServiceForUpdate, onlyVisibleServices, toAttestationDto } from './service-access';
import { Service } from './service.entity';

const ATTESTATION_SORT: SortSpec = {
  fields: { expiresOn: 'a.expires_on', createdAt: 'a.created_at' },
  default: 'expiresOn',
  tieBreaker: 'a.id',
};

/** Certificates services carry (PSN compliance, Cyber Essentials, ISO 27001…), and the consortium's register of them. */
@Injectable()
export class ComplianceService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  async attest(actor: Actor, serviceId: string, dto: CreateAttestationDto): Promise<AttestationDto> {
    const errors: ProblemFieldError[] = [];
    if (!isIsoDate(dto.issuedOn))
      errors.push({ field: 'issuedOn', message: 'issuedOn is not a calendar date' });
    if (!isIsoDate(dto.expiresOn))
      errors.push({ field: 'expiresOn', message: 'expiresOn is not a calendar date' });
    if (errors.length === 0 && dto.expiresOn < dto.issuedOn) {
      errors.push({ field: 'expiresOn', message: 'expiresOn must not be before issuedOn' });
    }
    if (errors.length > 0) throw invalid(errors.map((e) => e.message).join('; '), errors);
    return this.dataSource.transaction(async (manager) => {
      const service = await findOwnServiceForUpdate(manager, actor, serviceId);
      if (service.status === 'retired') {
        throw conflict('A retired service takes no new certificates', 'service-retired');
      }
      const attestation = await manager.save(
        manager.create(ComplianceAttestation, {
          serviceId,
          kind: dto.kind,
          certificateReference: dto.certificateReference,
          issuedOn: dto.issuedOn,
          expiresOn: dto.expiresOn,
          required: dto.required ?? true,
        }),
      );
      await this.audit.record(manager, actor, {
        action: 'compliance.attested',
        entityType: 'compliance_attestation',
        entityId: attestation.id,
        consortiumId: service.consortiumId,
        changes: {
          serviceId,
          kind: attestation.kind,
          certificateReference: attestation.certificateReference,
          issuedOn: attestation.issuedOn,
          expiresOn: attestation.expiresOn,
          required: attestation.required,
        },
      });
      return toAttestationDto(attestation, ukToday());
    });
  }

  async remove(actor: Actor, serviceId: string, attestationId: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const service = await findOwnServiceForUpdate(manager, actor, serviceId);
      const attestation = await manager.findOneBy(ComplianceAttestation, { id: attestationId, serviceId });
      if (!attestation) throw notFound('Attestation');
      await manager.delete(ComplianceAttestation, { id: attestationId });
      await this.audit.record(manager, actor, {
        action: 'compliance.removed',
        entityType: 'compliance_attestation',
        entityId: attestationId,
        consortiumId: service.consortiumId,
        changes: {
          serviceId,
          kind: attestation.kind,
          certificateReference: attestation.certificateReference,
          expiresOn: attestation.expiresOn,
        },
      });
    });
  }

  /** Every attestation on the consortium's services the caller can see, soonest expiry first by default. */
  async listForConsortium(
    actor: Actor,
    consortiumId: string,
    query: ConsortiumComplianceQuery,
  ): Promise<Page<ConsortiumAttestationDto>> {
    if (!canSeeConsortium(actor, consortiumId)) throw notFound('Consortium');
    const today = ukToday();
    const services = onlyVisibleServices(
      this.dataSource
        .getRepository(Service)
        .createQueryBuilder('s')
        .select('s.id')
        .where('s.consortium_id = :consortiumId', { consortiumId }),
      actor,
    );
    if (query.providerId) {
      services.andWhere('s.provider_organisation_id = :providerId', { providerId: query.providerId });
    }
    const attestations = this.dataSource
      .getRepository(ComplianceAttestation)
      .createQueryBuilder('a')
      .where(`a.service_id IN (${services.getQuery()})`)
      .setParameters(services.getParameters());
    if (query.kind) attestations.andWhere('a.kind = :kind', { kind: query.kind });
    const warnUntil = addDays(today, EXPIRY_WARNING_DAYS);
    if (query.standing === 'expired') attestations.andWhere('a.expires_on < :today', { today });
    if (query.standing === 'expiring') {
      attestations.andWhere('a.expires_on >= :today AND a.expires_on <= :warnUntil', { today, warnUntil });
    }
    if (query.standing === 'valid') attestations.andWhere('a.expires_on > :warnUntil', { warnUntil });
    const page = await paginate(attestations, query, ATTESTATION_SORT, (a) => a);
    if (page.data.length === 0) return { data: [], page: page.page };
    const pageServices = await this.dataSource.manager.findBy(Service, {
      id: In([...new Set(page.data.map((a) => a.serviceId))]),
    });
    const providers = await this.dataSource.manager.findBy(Organisation, {
      id: In([...new Set(pageServices.map((s) => s.providerOrganisationId))]),
    });
    const serviceById = new Map(pageServices.map((s) => [s.id, s]));
    const providerById = new Map(providers.map((p) => [p.id, p]));
    return {
      data: page.data.map((attestation) => {
        const service = serviceById.get(attestation.serviceId) as Service;
        const provider = providerById.get(service.providerOrganisationId) as Organisation;
        return {
          ...toAttestationDto(attestation, today),
          serviceTitle: service.title,
          serviceStatus: service.status,
          provider: { id: provider.id, name: provider.name, type: provider.type },
        };
      }),
      page: page.page,
    };
  }
}
