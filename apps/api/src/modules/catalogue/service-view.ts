import type { EntityManager, SelectQueryBuilder } from 'typeorm';
import type { CapacityUnit, ServiceCategory, ServiceStatus, VatTreatment } from '@consortium/domain';
import type { ComplianceAttestation } from './compliance-attestation.entity';
import { overallComplianceStatus } from './compliance-status';
import type { ServiceDto } from './dto/service.dto';
import { capacityInUseSql, toAttestationDto } from './service-access';
import { Service, type ServiceContact, type ServiceLevel } from './service.entity';

/**
 * A service as the API shows it (its provider, current price, certificates and the capacity in use with it) read
 * in the one statement that finds the services: a list page, however long, is a single round trip, and no entity
 * is built only to be copied into a DTO. json_build_object keeps the nested parts typed as PostgreSQL has them
 * (jsonb plans stay objects, dates stay YYYY-MM-DD); timestamps inside JSON come back as ISO strings.
 */
const VIEW_COLUMNS: [sql: string, alias: string][] = [
  ['s.id', 'id'],
  ['s.consortium_id', 'consortium_id'],
  ['s.category', 'category'],
  ['s.title', 'title'],
  ['s.summary', 'summary'],
  ['s.description', 'description'],
  ['s.service_level', 'service_level'],
  ['s.capacity_limit', 'capacity_limit'],
  ['s.capacity_unit', 'capacity_unit'],
  [`${capacityInUseSql('s')}::text`, 'capacity_in_use'],
  ['s.vat_treatment', 'vat_treatment'],
  ['s.contacts', 'contacts'],
  ['s.status', 'status'],
  ['s.published_at', 'published_at'],
  ['s.created_at', 'created_at'],
  ['s.updated_at', 'updated_at'],
  [
    `(SELECT json_build_object('id', o.id, 'name', o.name, 'type', o.type)
        FROM organisations o WHERE o.id = s.provider_organisation_id)`,
    'provider',
  ],
  [
    `(SELECT json_build_object('priceVersionId', pv.id, 'version', pv.version, 'model', pv.plan ->> 'model',
                               'plan', pv.plan, 'currency', pv.currency, 'createdAt', pv.created_at)
        FROM price_versions pv WHERE pv.service_id = s.id AND pv.version = s.current_price_version)`,
    'price',
  ],
  [
    `coalesce((SELECT json_agg(json_build_object('id', ca.id, 'serviceId', ca.service_id, 'kind', ca.kind,
                                                 'certificateReference', ca.certificate_reference,
                                                 'issuedOn', ca.issued_on, 'expiresOn', ca.expires_on,
                                                 'required', ca.required, 'createdAt', ca.created_at)
                               ORDER BY ca.expires_on, ca.created_at, ca.id)
                 FROM compliance_attestations ca WHERE ca.service_id = s.id), '[]')`,
    'attestations',
  ],
];

/** A row of the view, as pg returns it (a type, not an interface, so that it is a Record for paginateRows). */
export type ServiceViewRow = {
  id: string;
  consortium_id: string;
  category: ServiceCategory;
  title: string;
  summary: string;
  description: string;
  service_level: ServiceLevel;
  capacity_limit: number | null;
  capacity_unit: CapacityUnit;
  capacity_in_use: string;
  vat_treatment: VatTreatment;
  contacts: ServiceContact[];
  status: ServiceStatus;
  published_at: Date | null;
  created_at: Date;
  updated_at: Date;
  provider: ServiceDto['provider'];
  price: Omit<ServiceDto['price'], 'createdAt'> & { createdAt: string };
  attestations: (Omit<ComplianceAttestation, 'createdAt' | 'service'> & { createdAt: string })[];
};

/** Selects the view's columns for the services `s` of a query (replacing whatever it selected). */
export function selectServiceView<T extends object>(query: SelectQueryBuilder<T>): SelectQueryBuilder<T> {
  const [[first, firstAlias], ...rest] = VIEW_COLUMNS;
  query.select(first, firstAlias);
  for (const [sql, alias] of rest) query.addSelect(sql, alias);
  return query;
}

export function toServiceDto(row: ServiceViewRow, today: string): ServiceDto {
  const inUse = Number(row.capacity_in_use);
  const attestations = row.attestations.map((a) => ({ ...a, createdAt: new Date(a.createdAt) }));
  return {
    id: row.id,
    consortiumId: row.consortium_id,
    provider: row.provider,
    category: row.category,
    title: row.title,
    summary: row.summary,
    description: row.description,
    serviceLevel: row.service_level,
    capacity: {
      limit: row.capacity_limit,
      unit: row.capacity_unit,
      inUse,
      remaining: row.capacity_limit === null ? null : Math.max(0, row.capacity_limit - inUse),
    },
    vatTreatment: row.vat_treatment,
    contacts: row.contacts,
    status: row.status,
    publishedAt: row.published_at,
    price: { ...row.price, createdAt: new Date(row.price.createdAt) },
    compliance: {
      status: overallComplianceStatus(attestations, today),
      attestations: attestations.map((a) => toAttestationDto(a, today)),
    },
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** The services with these ids as the API shows them, in the order of `ids` (inside the caller's transaction). */
export async function serviceViews(
  manager: EntityManager,
  ids: string[],
  today: string,
): Promise<ServiceDto[]> {
  if (ids.length === 0) return [];
  const query = selectServiceView(manager.createQueryBuilder().from(Service, 's')).where(
    's.id IN (:...ids)',
    {
      ids,
    },
  );
  const byId = new Map((await query.getRawMany<ServiceViewRow>()).map((row) => [row.id, row]));
  return ids.map((id) => toServiceDto(byId.get(id) as ServiceViewRow, today));
}
