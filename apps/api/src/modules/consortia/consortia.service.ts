import type { Actor } from '@consortium/auth';
import type { MembershipStatus } from '@consortium/domain';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { paginate, type Page, type SortSpec } from '../../common/pagination';
import { conflict, forbidden } from '../../common/problem';
import { AuditService, diff } from '../audit/audit.service';
import { containsPattern } from '../../common/sql';
import { administers, findVisibleConsortium } from './consortium-access';
import { Consortium, ConsortiumRules } from './consortium.entity';
import { ConsortiumAdmin } from './consortium-admin.entity';
import {
  ConsortiumDetailDto,
  ConsortiumDirectoryEntryDto,
  ConsortiumDirectoryQuery,
  ConsortiumDto,
  ConsortiumListQuery,
  CreateConsortiumDto,
  UpdateConsortiumDto,
} from './dto/consortium.dto';
import { Membership } from './membership.entity';

const CONSORTIUM_SORT: SortSpec = {
  fields: { name: 'c.name', createdAt: 'c.created_at' },
  default: 'name',
  tieBreaker: 'c.id',
};

const DEFAULT_RULES: ConsortiumRules = { acceptsJoinRequests: true, paymentTermsDays: 30 };

/** Consortia: the rulebook members trade under, founded by an organisation whose founder administers it. */
@Injectable()
export class ConsortiaService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  /** Consortia the caller's organisation has any membership of (or that the caller administers). */
  async list(actor: Actor, query: ConsortiumListQuery): Promise<Page<ConsortiumDto>> {
    const consortia = this.dataSource.getRepository(Consortium).createQueryBuilder('c');
    if (!actor.isSuperadmin) {
      consortia.where(
        `(c.id IN (SELECT m.consortium_id FROM consortium_memberships m WHERE m.organisation_id = :organisationId)
          OR c.id = ANY(CAST(:administered AS uuid[])))`,
        { organisationId: actor.organisationId, administered: administered(actor) },
      );
    }
    if (query.membershipStatus) {
      consortia.andWhere(
        `c.id IN (SELECT s.consortium_id FROM consortium_memberships s
                   WHERE s.organisation_id = :organisationId AND s.status = :membershipStatus)`,
        { organisationId: actor.organisationId, membershipStatus: query.membershipStatus },
      );
    }
    const page = await paginate(consortia, query, CONSORTIUM_SORT, (consortium) => consortium);
    const statuses = await this.membershipStatuses(actor, page.data);
    return {
      data: page.data.map((consortium) =>
        toConsortiumDto(consortium, actor, statuses.get(consortium.id) ?? null),
      ),
      page: page.page,
    };
  }

  /** Consortia that accept join requests, with only what an outsider needs to decide to ask. */
  async directory(query: ConsortiumDirectoryQuery): Promise<Page<ConsortiumDirectoryEntryDto>> {
    const consortia = this.dataSource
      .getRepository(Consortium)
      .createQueryBuilder('c')
      .where(`(c.rules ->> 'acceptsJoinRequests')::boolean IS TRUE`);
    if (query.q) consortia.andWhere('c.name ILIKE :q', { q: containsPattern(query.q) });
    const page = await paginate(consortia, query, CONSORTIUM_SORT, (consortium) => consortium);
    const counts = await this.memberCounts(
      this.dataSource.manager,
      page.data.map((c) => c.id),
    );
    return {
      data: page.data.map((c) => ({
        id: c.id,
        name: c.name,
        description: c.description,
        memberCount: counts.get(c.id) ?? 0,
      })),
      page: page.page,
    };
  }

  async get(actor: Actor, id: string): Promise<ConsortiumDetailDto> {
    return this.detail(
      this.dataSource.manager,
      actor,
      await findVisibleConsortium(this.dataSource.manager, actor, id),
    );
  }

  /** Founds a consortium: the caller's organisation becomes its first active member and the caller its administrator. */
  async create(actor: Actor, dto: CreateConsortiumDto): Promise<ConsortiumDetailDto> {
    return this.dataSource.transaction(async (manager) => {
      await this.refuseTakenName(manager, dto.name);
      const consortium = await manager.save(
        manager.create(Consortium, {
          name: dto.name,
          description: dto.description ?? null,
          billingCycle: dto.billingCycle,
          currency: dto.currency ?? 'GBP',
          rules: { ...DEFAULT_RULES, ...definedOnly(dto.rules) },
        }),
      );
      const membership = await manager.save(
        manager.create(Membership, {
          consortiumId: consortium.id,
          organisationId: actor.organisationId,
          status: 'active',
          note: null,
          joinedAt: new Date(),
          leftAt: null,
        }),
      );
      await manager.insert(ConsortiumAdmin, { consortiumId: consortium.id, userId: actor.id });
      await this.audit.record(manager, actor, {
        action: 'consortium.created',
        entityType: 'consortium',
        entityId: consortium.id,
        consortiumId: consortium.id,
        changes: {
          name: consortium.name,
          description: consortium.description,
          billingCycle: consortium.billingCycle,
          currency: consortium.currency,
          rules: consortium.rules,
        },
      });
      await this.audit.record(manager, actor, {
        action: 'membership.founded',
        entityType: 'membership',
        entityId: membership.id,
        consortiumId: consortium.id,
        organisationId: membership.organisationId,
        changes: { status: { from: null, to: 'active' } },
      });
      await this.audit.record(manager, actor, {
        action: 'consortium.admin_added',
        entityType: 'user',
        entityId: actor.id,
        consortiumId: consortium.id,
        changes: { userId: actor.id },
      });
      return this.detail(
        manager,
        { ...actor, consortiumAdminOf: [...actor.consortiumAdminOf, consortium.id] },
        consortium,
      );
    });
  }

  async update(actor: Actor, id: string, dto: UpdateConsortiumDto): Promise<ConsortiumDetailDto> {
    return this.dataSource.transaction(async (manager) => {
      const consortium = await findVisibleConsortium(manager, actor, id, 'exclusive');
      if (!administers(actor, id)) throw forbidden("Only the consortium's administrators may change it");
      const patch: Partial<Consortium> = {};
      if (dto.name !== undefined) patch.name = dto.name;
      if (dto.description !== undefined) patch.description = dto.description;
      if (dto.billingCycle !== undefined) patch.billingCycle = dto.billingCycle;
      if (dto.currency !== undefined) patch.currency = dto.currency;
      if (dto.rules !== undefined) patch.rules = { ...consortium.rules, ...definedOnly(dto.rules) };
      const changes = diff(consortium, patch);
      if (Object.keys(changes).length === 0) return this.detail(manager, actor, consortium);
      if (changes.name) await this.refuseTakenName(manager, dto.name as string, consortium.id);
      await manager.update(Consortium, { id }, patch);
      await this.audit.record(manager, actor, {
        action: 'consortium.updated',
        entityType: 'consortium',
        entityId: id,
        consortiumId: id,
        changes,
      });
      return this.detail(manager, actor, await manager.findOneByOrFail(Consortium, { id }));
    });
  }

  private async detail(
    manager: EntityManager,
    actor: Actor,
    consortium: Consortium,
  ): Promise<ConsortiumDetailDto> {
    const [statuses, counts] = await Promise.all([
      this.membershipStatuses(actor, [consortium], manager),
      this.memberCounts(manager, [consortium.id]),
    ]);
    return {
      ...toConsortiumDto(consortium, actor, statuses.get(consortium.id) ?? null),
      memberCount: counts.get(consortium.id) ?? 0,
    };
  }

  private async membershipStatuses(
    actor: Actor,
    consortia: Consortium[],
    manager: EntityManager = this.dataSource.manager,
  ): Promise<Map<string, MembershipStatus>> {
    if (consortia.length === 0) return new Map();
    const memberships = await manager.find(Membership, {
      where: { organisationId: actor.organisationId, consortiumId: In(consortia.map((c) => c.id)) },
    });
    return new Map(memberships.map((m) => [m.consortiumId, m.status]));
  }

  private async memberCounts(manager: EntityManager, ids: string[]): Promise<Map<string, number>> {
    if (ids.length === 0) return new Map();
    const rows = await manager.query<{ consortium_id: string; count: string }[]>(
      `SELECT consortium_id, count(*) AS count FROM consortium_memberships
        WHERE consortium_id = ANY($1::uuid[]) AND status = 'active' GROUP BY consortium_id`,
      [ids],
    );
    return new Map(rows.map((row) => [row.consortium_id, Number(row.count)]));
  }

  private async refuseTakenName(manager: EntityManager, name: string, exceptId?: string): Promise<void> {
    const query = manager
      .getRepository(Consortium)
      .createQueryBuilder('c')
      .where('lower(c.name) = lower(:name)', { name });
    if (exceptId) query.andWhere('c.id <> :exceptId', { exceptId });
    if (await query.getExists()) throw conflict(`A consortium named "${name}" already exists`, 'name-taken');
  }
}

/** The rules a client sent, without the ones it left out. */
function definedOnly(rules: Partial<ConsortiumRules> | undefined): Partial<ConsortiumRules> {
  return Object.fromEntries(Object.entries(rules ?? {}).filter(([, value]) => value !== undefined));
}

const administered = (actor: Actor) => (actor.kind === 'user' ? actor.consortiumAdminOf : []);

function toConsortiumDto(
  consortium: Consortium,
  actor: Actor,
  status: MembershipStatus | null,
): ConsortiumDto {
  return {
    id: consortium.id,
    name: consortium.name,
    description: consortium.description,
    billingCycle: consortium.billingCycle,
    currency: consortium.currency,
    rules: {
      acceptsJoinRequests: consortium.rules.acceptsJoinRequests,
      paymentTermsDays: consortium.rules.paymentTermsDays,
    },
    membershipStatus: status,
    isAdmin: actor.kind === 'user' && actor.consortiumAdminOf.includes(consortium.id),
    createdAt: consortium.createdAt,
    updatedAt: consortium.updatedAt,
  };
}
