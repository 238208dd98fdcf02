import { type Actor, isActiveMember } from '@consortium/auth';
import { type ServiceAction, serviceLifecycle } from '@consortium/domain';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { type Page, paginateRows, type SortSpec } from '../../common/pagination';
import { conflict, forbidden, notFound } from '../../common/problem';
import { AuditService, diff } from '../audit/audit.service';
import { canSeeConsortium } from '../consortia/consortium-access';
import { Consortium } from '../consortia/consortium.entity';
import { ukToday } from './compliance-status';
import {
  CapacityInputDto,
  CreateServiceDto,
  ServiceContactDto,
  ServiceDto,
  ServiceLevelDto,
  ServiceListQuery,
  UpdateServiceDto,
} from './dto/service.dto';
import { acceptPricePlan } from './price-plan-input';
import { PriceVersion } from './price-version.entity';
import {
  capacityInUseSql,
  findOwnServiceForUpdate,
  findVisibleService,
  onlyVisibleServices,
} from './service-access';
import { selectServiceView, serviceViews, type ServiceViewRow, toServiceDto } from './service-view';
import { Service, ServiceContact, ServiceLevel } from './service.entity';

/** The lifecycle endpoints, the domain action each takes and the audit action it records. */
export const LIFECYCLE_STEPS = {
  publish: { action: 'publish', audit: 'service.published' },
  suspend: { action: 'suspend', audit: 'service.suspended' },
  resume: { action: 'reinstate', audit: 'service.resumed' },
  retire: { action: 'retire', audit: 'service.retired' },
} as const satisfies Record<string, { action: ServiceAction; audit: string }>;
export type LifecycleStep = keyof typeof LIFECYCLE_STEPS;

// `relevance` is the negated rank, so ascending (the natural reading of `sort=relevance`) is best first and the
// shared keyset pagination needs no special case.
const RELEVANCE = `-ts_rank(s.search_document, websearch_to_tsquery('english', :searchText))`;
const SORT_FIELDS = { title: 's.title', createdAt: 's.created_at', publishedAt: 's.published_at' };

/** Services: listed by a provider in its consortium, found and read by the consortium's members. */
@Injectable()
export class CatalogueService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  /** Browse and search: published services of the caller's consortia unless `mine` or `status` says otherwise. */
  async list(actor: Actor, query: ServiceListQuery): Promise<Page<ServiceDto>> {
    const today = ukToday();
    const services = onlyVisibleServices(
      selectServiceView(this.dataSource.createQueryBuilder().from(Service, 's')),
      actor,
    );
    if (query.mine) services.andWhere('s.provider_organisation_id = :mine', { mine: actor.organisationId });
    if (query.status) services.andWhere('s.status = :status', { status: query.status });
    else if (!query.mine) services.andWhere(`s.status = 'published'`);
    if (query.consortiumId)
      services.andWhere('s.consortium_id = :consortiumId', { consortiumId: query.consortiumId });
    if (query.category) services.andWhere('s.category = :category', { category: query.category });
    if (query.providerId) {
      services.andWhere('s.provider_organisation_id = :providerId', { providerId: query.providerId });
    }
    if (query.providerType) {
      services.andWhere(
        `EXISTS (SELECT 1 FROM organisations fo WHERE fo.id = s.provider_organisation_id AND fo.type = :providerType)`,
        { providerType: query.providerType },
      );
    }
    if (query.priceModel) {
      services.andWhere(
        `EXISTS (SELECT 1 FROM price_versions fpv WHERE fpv.service_id = s.id
                   AND fpv.version = s.current_price_version AND fpv.plan ->> 'model' = :priceModel)`,
        { priceModel: query.priceModel },
      );
    }
    if (query.compliance) {
      services.andWhere(
        `EXISTS (SELECT 1 FROM compliance_attestations fca WHERE fca.service_id = s.id
                   AND fca.kind = :complianceKind AND fca.expires_on >= :today)`,
        { complianceKind: query.compliance, today },
      );
    }
    if (query.hasCapacity !== undefined) {
      const hasRoom = `(s.capacity_limit IS NULL OR ${capacityInUseSql('s')} < s.capacity_limit)`;
      services.andWhere(query.hasCapacity ? hasRoom : `NOT ${hasRoom}`);
    }
    const searching = query.q !== undefined && query.q.trim() !== '';
    if (searching) {
      services.andWhere(`s.search_document @@ websearch_to_tsquery('english', :searchText)`, {
        searchText: query.q,
      });
    }
    const sort: SortSpec = {
      fields: searching ? { relevance: RELEVANCE, ...SORT_FIELDS } : SORT_FIELDS,
      default: searching ? 'relevance' : 'title',
      tieBreaker: 's.id',
    };
    return paginateRows(services, query, sort, (row: ServiceViewRow) => toServiceDto(row, today), {
      preparedOn: this.dataSource,
    });
  }

  async get(actor: Actor, id: string): Promise<ServiceDto> {
    return this.view(this.dataSource.manager, await findVisibleService(this.dataSource.manager, actor, id));
  }

  /** A new draft listing with price version 1, provided by the caller's organisation. */
  async create(actor: Actor, dto: CreateServiceDto): Promise<ServiceDto> {
    if (!canSeeConsortium(actor, dto.consortiumId)) throw notFound('Consortium');
    if (!isActiveMember(actor, dto.consortiumId)) {
      throw forbidden('Only active members of the consortium may offer services in it');
    }
    return this.dataSource.transaction(async (manager) => {
      const consortium = await manager.findOneBy(Consortium, { id: dto.consortiumId });
      if (!consortium) throw notFound('Consortium');
      await assertActiveMember(manager, consortium.id, actor.organisationId);
      const plan = acceptPricePlan(dto.pricePlan, consortium.currency);
      const service = await manager.save(
        manager.create(Service, {
          consortiumId: consortium.id,
          providerOrganisationId: actor.organisationId,
          category: dto.category,
          title: dto.title,
          summary: dto.summary,
          description: dto.description,
          serviceLevel: serviceLevelOf(dto.serviceLevel),
          capacityLimit: dto.capacity.limit,
          capacityUnit: dto.capacity.unit,
          vatTreatment: dto.vatTreatment,
          contacts: dto.contacts.map(contactOf),
          status: 'draft',
          currentPriceVersion: 1,
          publishedAt: null,
        }),
      );
      await manager.save(
        manager.create(PriceVersion, {
          serviceId: service.id,
          version: 1,
          plan: { ...plan },
          currency: consortium.currency,
          createdByUserId: actor.kind === 'user' ? actor.id : null,
        }),
      );
      await this.audit.record(manager, actor, {
        action: 'service.created',
        entityType: 'service',
        entityId: service.id,
        consortiumId: service.consortiumId,
        changes: {
          status: { from: null, to: 'draft' },
          title: service.title,
          category: service.category,
          capacity: { limit: service.capacityLimit, unit: service.capacityUnit },
          vatTreatment: service.vatTreatment,
          priceVersion: 1,
          pricePlan: plan,
        },
      });
      return this.view(manager, service);
    });
  }

  /** Changes the listing's descriptive fields, service level, capacity, contacts or VAT treatment. */
  async update(actor: Actor, id: string, dto: UpdateServiceDto): Promise<ServiceDto> {
    return this.dataSource.transaction(async (manager) => {
      const service = await findOwnServiceForUpdate(manager, actor, id);
      if (service.status === 'retired')
        throw conflict('A retired service cannot be changed', 'service-retired');
      const patch: Partial<Service> = {};
      if (dto.category !== undefined) patch.category = dto.category;
      if (dto.title !== undefined) patch.title = dto.title;
      if (dto.summary !== undefined) patch.summary = dto.summary;
      if (dto.description !== undefined) patch.description = dto.description;
      if (dto.serviceLevel !== undefined) patch.serviceLevel = serviceLevelOf(dto.serviceLevel);
      if (dto.vatTreatment !== undefined) patch.vatTreatment = dto.vatTreatment;
      if (dto.contacts !== undefined) patch.contacts = dto.contacts.map(contactOf);
      if (dto.capacity !== undefined) {
        await assertCapacityCoversUse(manager, service, dto.capacity);
        patch.capacityLimit = dto.capacity.limit;
        patch.capacityUnit = dto.capacity.unit;
      }
      // Stored JSON comes back with its keys reordered: compare in one canonical form, so only real changes count.
      const current: Service = {
        ...service,
        serviceLevel: serviceLevelOf(service.serviceLevel),
        contacts: service.contacts.map(contactOf),
      };
      const changes = diff(current, patch);
      if (Object.keys(changes).length === 0) return this.view(manager, service);
      await manager.update(Service, { id }, patch);
      await this.audit.record(manager, actor, {
        action: 'service.updated',
        entityType: 'service',
        entityId: id,
        consortiumId: service.consortiumId,
        changes,
      });
      return this.view(manager, await manager.findOneByOrFail(Service, { id }));
    });
  }

  /**
   * Publish, suspend, resume or retire, as the domain's service lifecycle allows (409 illegal-transition
   * otherwise). Publishing and resuming need the provider to be an active member of the consortium still.
   */
  async transition(actor: Actor, id: string, step: LifecycleStep): Promise<ServiceDto> {
    const { action, audit } = LIFECYCLE_STEPS[step];
    return this.dataSource.transaction(async (manager) => {
      const service = await findOwnServiceForUpdate(manager, actor, id);
      const to = serviceLifecycle.next(service.status, action);
      if (action === 'publish' || action === 'reinstate') {
        await assertActiveMember(manager, service.consortiumId, service.providerOrganisationId);
      }
      const publishedAt = service.publishedAt ?? (to === 'published' ? new Date() : null);
      await manager.update(Service, { id }, { status: to, publishedAt });
      await this.audit.record(manager, actor, {
        action: audit,
        entityType: 'service',
        entityId: id,
        consortiumId: service.consortiumId,
        changes: { status: { from: service.status, to } },
      });
      return this.view(manager, await manager.findOneByOrFail(Service, { id }));
    });
  }

  private async view(manager: EntityManager, service: Service): Promise<ServiceDto> {
    const [dto] = await serviceViews(manager, [service.id], ukToday());
    return dto;
  }
}

/**
 * The provider must be an active member when it lists or (re)publishes a service. The membership row is share-locked
 * so a concurrent suspension waits for this transaction rather than slipping past the check.
 */
export async function assertActiveMember(
  manager: EntityManager,
  consortiumId: string,
  organisationId: string,
): Promise<void> {
  const rows = await manager.query<{ status: string }[]>(
    `SELECT status FROM consortium_memberships WHERE consortium_id = $1 AND organisation_id = $2 FOR SHARE`,
    [consortiumId, organisationId],
  );
  if (rows[0]?.status !== 'active') {
    throw conflict(
      'The providing organisation is not an active member of the consortium, so its service cannot be offered',
      'provider-not-active-member',
    );
  }
}

/** Capacity may not be lowered below what subscriptions in force already hold (counted in the new unit). */
async function assertCapacityCoversUse(
  manager: EntityManager,
  service: Service,
  capacity: CapacityInputDto,
): Promise<void> {
  if (capacity.limit === null) return;
  const [row] = await manager.query<{ in_use: string }[]>(
    `SELECT ${capacityInUseSql('s')}::text AS in_use FROM (SELECT $1::uuid AS id, $2::capacity_unit AS capacity_unit) s`,
    [service.id, capacity.unit],
  );
  const inUse = Number(row.in_use);
  if (capacity.limit < inUse) {
    throw conflict(
      `Subscriptions in force already hold ${inUse} ${capacity.unit}: capacity cannot be lowered to ${capacity.limit}`,
      'capacity-below-use',
    );
  }
}

function serviceLevelOf(level: ServiceLevelDto | ServiceLevel): ServiceLevel {
  return {
    hoursOfCover: level.hoursOfCover,
    responseTargetHours: level.responseTargetHours,
    resolutionTargetHours: level.resolutionTargetHours,
    availabilityPercent: level.availabilityPercent,
  };
}

function contactOf(contact: ServiceContactDto | ServiceContact): ServiceContact {
  return {
    name: contact.name,
    email: contact.email,
    ...(contact.phone ? { phone: contact.phone } : {}),
    ...(contact.role ? { role: contact.role } : {}),
  };
}
