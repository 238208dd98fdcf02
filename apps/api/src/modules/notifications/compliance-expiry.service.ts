import type { Actor } from '@consortium/auth';
import {
  type ComplianceKind,
  complianceStanding,
  EXPIRY_WARNING_DAYS,
  addDays,
  formatDateForPeople,
} from '@consortium/domain';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { forbidden } from '../../common/problem';
import { AuditService } from '../audit/audit.service';
import { ComplianceAttestation } from '../catalogue/compliance-attestation.entity';
import { ukToday } from '../catalogue/compliance-status';
import { Service } from '../catalogue/service.entity';
import { administers, findVisibleConsortium } from '../consortia/consortium-access';
import { ComplianceExpiryRunDto } from './dto/compliance-expiry.dto';
import { NotificationsService } from './notifications.service';

const COMPLIANCE_LABELS: Record<ComplianceKind, string> = {
  psn_compliance: 'PSN compliance',
  cyber_essentials: 'Cyber Essentials',
  cyber_essentials_plus: 'Cyber Essentials Plus',
  iso_27001: 'ISO 27001',
  dspt: 'Data Security and Protection Toolkit',
  pci_dss: 'PCI DSS',
  other: 'Compliance',
};

/**
 * Tells each provider about its services' certificates that expire within 30 days or have expired. Safe to run
 * as often as you like (by a consortium administrator now, by a scheduled job later): each certificate and
 * expiry date is notified once, because the outbox dedupe key is unique. Retired services are left out.
 */
@Injectable()
export class ComplianceExpiryService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly notifications: NotificationsService,
    private readonly audit: AuditService,
  ) {}

  async notifyExpiring(actor: Actor | 'system', consortiumId: string): Promise<ComplianceExpiryRunDto> {
    if (actor !== 'system') {
      await findVisibleConsortium(this.dataSource.manager, actor, consortiumId);
      if (!administers(actor, consortiumId)) {
        throw forbidden("Only the consortium's administrators may send certificate expiry notices");
      }
    }
    return this.dataSource.transaction((manager) => this.notifyExpiringWithin(manager, actor, consortiumId));
  }

  /** The check itself, inside the caller's transaction (the demo seed runs it in its own). */
  async notifyExpiringWithin(
    manager: EntityManager,
    actor: Actor | 'system',
    consortiumId: string,
    today: string = ukToday(),
  ): Promise<ComplianceExpiryRunDto> {
    const attestations = await manager
      .getRepository(ComplianceAttestation)
      .createQueryBuilder('a')
      .innerJoinAndSelect('a.service', 's')
      .where('s.consortium_id = :consortiumId', { consortiumId })
      .andWhere("s.status <> 'retired'")
      .andWhere('a.expires_on <= :horizon', { horizon: addDays(today, EXPIRY_WARNING_DAYS) })
      .orderBy('a.expires_on')
      .addOrderBy('a.id')
      .getMany();
    const run: ComplianceExpiryRunDto = {
      checkedOn: today,
      expiring: 0,
      expired: 0,
      notified: 0,
      alreadyNotified: 0,
    };
    for (const attestation of attestations) {
      const service = attestation.service as Service;
      const standing = complianceStanding(attestation.expiresOn, today);
      if (standing === 'valid') continue;
      run[standing] += 1;
      const label = COMPLIANCE_LABELS[attestation.kind];
      const on = formatDateForPeople(attestation.expiresOn);
      const notification = await this.notifications.notify(manager, {
        organisationId: service.providerOrganisationId,
        consortiumId,
        kind: `compliance.${standing}`,
        title:
          standing === 'expired'
            ? `${label} certificate for ${service.title} expired on ${on}`
            : `${label} certificate for ${service.title} expires on ${on}`,
        body:
          standing === 'expired'
            ? `Certificate ${attestation.certificateReference} for "${service.title}" expired on ${on}: ` +
              'the service shows as non-compliant until you upload a current certificate.'
            : `Certificate ${attestation.certificateReference} for "${service.title}" expires on ${on}. ` +
              'Upload the renewed certificate before then so subscribers keep seeing the service as compliant.',
        entityType: 'compliance_attestation',
        entityId: attestation.id,
        data: {
          standing,
          serviceId: service.id,
          kind: attestation.kind,
          certificateReference: attestation.certificateReference,
          expiresOn: attestation.expiresOn,
          required: attestation.required,
        },
        dedupeKey: `compliance.${standing}:${attestation.id}:${attestation.expiresOn}`,
      });
      if (notification) run.notified += 1;
      else run.alreadyNotified += 1;
    }
    await this.audit.record(manager, actor, {
      action: 'compliance.expiry_check_run',
      entityType: 'consortium',
      entityId: consortiumId,
      consortiumId,
      changes: { ...run },
    });
    return run;
  }
}
