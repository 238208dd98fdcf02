import { type Actor, hashPassword } from '@consortium/auth';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { paginate, type Page, type SortSpec } from '../../common/pagination';
import { conflict, forbidden, notFound } from '../../common/problem';
import { AuditService, diff } from '../audit/audit.service';
import { User } from '../users/user.entity';
import {
  CreatedOrganisationDto,
  CreateOrganisationDto,
  OrganisationDto,
  OrganisationListQuery,
  UpdateOrganisationDto,
} from './dto/organisation.dto';
import { Organisation } from './organisation.entity';
import { containsPattern } from '../../common/sql';
import { onlyVisibleOrganisations } from './organisation-visibility';

const ORGANISATION_SORT: SortSpec = {
  fields: { name: 'o.name', createdAt: 'o.created_at' },
  default: 'name',
  tieBreaker: 'o.id',
};

export function toOrganisationDto(organisation: Organisation): OrganisationDto {
  return {
    id: organisation.id,
    name: organisation.name,
    type: organisation.type,
    region: organisation.region,
    contactName: organisation.contactName,
    contactEmail: organisation.contactEmail,
    contactPhone: organisation.contactPhone,
    createdAt: organisation.createdAt,
    updatedAt: organisation.updatedAt,
  };
}

/**
 * Organisations see themselves and the organisations they share a consortium with; anything else is not found.
 * Each organisation's administrators keep its details; only a superadmin registers organisations or changes a type.
 */
@Injectable()
export class OrganisationsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  async list(actor: Actor, query: OrganisationListQuery): Promise<Page<OrganisationDto>> {
    const organisations = onlyVisibleOrganisations(
      this.dataSource.getRepository(Organisation).createQueryBuilder('o'),
      actor,
    );
    if (query.type) organisations.andWhere('o.type = :type', { type: query.type });
    if (query.region) organisations.andWhere('lower(o.region) = lower(:region)', { region: query.region });
    if (query.q) organisations.andWhere('o.name ILIKE :q', { q: containsPattern(query.q) });
    return paginate(organisations, query, ORGANISATION_SORT, toOrganisationDto);
  }

  async get(actor: Actor, id: string): Promise<OrganisationDto> {
    return toOrganisationDto(await this.findVisible(this.dataSource.manager, actor, id));
  }

  async update(actor: Actor, id: string, dto: UpdateOrganisationDto): Promise<OrganisationDto> {
    return this.dataSource.transaction(async (manager) => {
      const organisation = await this.findVisible(manager, actor, id, { lock: true });
      if (!actor.isSuperadmin && organisation.id !== actor.organisationId) {
        throw forbidden("Only the organisation's own administrators may change its details");
      }
      if (dto.type !== undefined && dto.type !== organisation.type && !actor.isSuperadmin) {
        throw forbidden("Only a superadmin may change an organisation's type");
      }
      const patch: Partial<Organisation> = {};
      for (const field of [
        'name',
        'type',
        'region',
        'contactName',
        'contactEmail',
        'contactPhone',
      ] as const) {
        if (dto[field] !== undefined) Object.assign(patch, { [field]: dto[field] });
      }
      const changes = diff(organisation, patch);
      if (Object.keys(changes).length === 0) return toOrganisationDto(organisation);
      if (changes.name) await this.refuseTakenName(manager, patch.name as string, organisation.id);
      await manager.update(Organisation, { id: organisation.id }, patch);
      await this.audit.record(manager, actor, {
        action: 'organisation.updated',
        entityType: 'organisation',
        entityId: organisation.id,
        organisationId: organisation.id,
        changes,
      });
      return toOrganisationDto(await manager.findOneByOrFail(Organisation, { id: organisation.id }));
    });
  }

  /** Registers an organisation with its first administrator, who can then sign in and add everyone else. */
  async create(actor: Actor, dto: CreateOrganisationDto): Promise<CreatedOrganisationDto> {
    // Hashed before the transaction opens: argon2 is deliberately slow and needs no lock.
    const passwordHash = await hashPassword(dto.admin.password);
    return this.dataSource.transaction(async (manager) => {
      await this.refuseTakenName(manager, dto.name);
      if (await manager.exists(User, { where: { email: dto.admin.email } })) {
        throw conflict('A user with this email already exists', 'email-taken');
      }
      const organisation = await manager.save(
        manager.create(Organisation, {
          name: dto.name,
          type: dto.type,
          region: dto.region,
          contactName: dto.contactName ?? null,
          contactEmail: dto.contactEmail ?? null,
          contactPhone: dto.contactPhone ?? null,
        }),
      );
      const admin = await manager.save(
        manager.create(User, {
          organisationId: organisation.id,
          email: dto.admin.email,
          name: dto.admin.name,
          roles: ['org_admin'],
          passwordHash,
          isSuperadmin: false,
          status: 'active',
          lastLoginAt: null,
        }),
      );
      await this.audit.record(manager, actor, {
        action: 'organisation.created',
        entityType: 'organisation',
        entityId: organisation.id,
        organisationId: organisation.id,
        changes: {
          name: organisation.name,
          type: organisation.type,
          region: organisation.region,
          contactName: organisation.contactName,
          contactEmail: organisation.contactEmail,
          contactPhone: organisation.contactPhone,
        },
      });
      await this.audit.record(manager, actor, {
        action: 'user.created',
        entityType: 'user',
        entityId: admin.id,
        organisationId: organisation.id,
        changes: { email: admin.email, name: admin.name, roles: admin.roles, status: admin.status },
      });
      return {
        ...toOrganisationDto(organisation),
        admin: { id: admin.id, email: admin.email, name: admin.name, roles: admin.roles },
      };
    });
  }

  private async findVisible(
    manager: EntityManager,
    actor: Actor,
    id: string,
    options: { lock?: boolean } = {},
  ): Promise<Organisation> {
    const query = onlyVisibleOrganisations(
      manager.getRepository(Organisation).createQueryBuilder('o').where('o.id = :id', { id }),
      actor,
    );
    if (options.lock) query.setLock('pessimistic_write');
    const organisation = await query.getOne();
    if (!organisation) throw notFound('Organisation');
    return organisation;
  }

  /** Names are unique regardless of case, so two bodies cannot be told apart only by capitals. */
  private async refuseTakenName(manager: EntityManager, name: string, exceptId?: string): Promise<void> {
    const query = manager
      .getRepository(Organisation)
      .createQueryBuilder('o')
      .where('lower(o.name) = lower(:name)', { name });
    if (exceptId) query.andWhere('o.id <> :exceptId', { exceptId });
    const taken = await query.getExists();
    if (taken) throw conflict(`An organisation named "${name}" already exists`, 'name-taken');
  }
}
