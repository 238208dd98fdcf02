import { type Actor, hashPassword } from '@consortium/auth';
import { ORGANISATION_ROLES, type OrganisationRole } from '@consortium/domain';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { paginate, type Page, type SortSpec } from '../../common/pagination';
import { conflict, forbidden, notFound } from '../../common/problem';
import { containsPattern } from '../../common/sql';
import { AuditService, diff } from '../audit/audit.service';
import { TokenService } from '../auth/token.service';
import { Organisation } from '../organisations/organisation.entity';
import { CreateUserDto, UpdateUserDto, UserDto, UserListQuery } from './dto/user.dto';
import { User } from './user.entity';

const USER_SORT: SortSpec = {
  fields: { name: 'u.name', email: 'u.email', createdAt: 'u.created_at' },
  default: 'name',
  tieBreaker: 'u.id',
};

export function toUserDto(user: User): UserDto {
  return {
    id: user.id,
    organisationId: user.organisationId,
    email: user.email,
    name: user.name,
    roles: user.roles,
    status: user.status,
    isSuperadmin: user.isSuperadmin,
    lastLoginAt: user.lastLoginAt,
    createdAt: user.createdAt,
    updatedAt: user.updatedAt,
  };
}

/** Roles in one canonical order, so the same set always compares (and audits) the same. */
const canonicalRoles = (roles: OrganisationRole[]) =>
  ORGANISATION_ROLES.filter((role) => roles.includes(role));

/**
 * An organisation's administrators manage its users; a superadmin may manage any organisation's.
 * A user outside the caller's reach is reported as not found, never as forbidden, so ids reveal nothing.
 */
@Injectable()
export class UsersService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly tokens: TokenService,
  ) {}

  async list(actor: Actor, query: UserListQuery): Promise<Page<UserDto>> {
    const organisationId = await this.managedOrganisation(actor, query.organisationId);
    const users = this.dataSource
      .getRepository(User)
      .createQueryBuilder('u')
      .where('u.organisation_id = :organisationId', { organisationId });
    if (query.role) users.andWhere(':role = ANY(u.roles)', { role: query.role });
    if (query.status) users.andWhere('u.status = :status', { status: query.status });
    if (query.q) {
      users.andWhere(`(u.name ILIKE :q OR u.email ILIKE :q)`, { q: containsPattern(query.q) });
    }
    return paginate(users, query, USER_SORT, toUserDto);
  }

  async get(actor: Actor, id: string): Promise<UserDto> {
    return toUserDto(await this.findManaged(this.dataSource.manager, actor, id));
  }

  async create(actor: Actor, dto: CreateUserDto): Promise<UserDto> {
    const organisationId = await this.managedOrganisation(actor, dto.organisationId);
    // Hashed before the transaction opens: argon2 is deliberately slow and needs no lock.
    const passwordHash = await hashPassword(dto.password);
    return this.dataSource.transaction(async (manager) => {
      if (await manager.exists(User, { where: { email: dto.email } })) {
        throw conflict('A user with this email already exists', 'email-taken');
      }
      const user = await manager.save(
        manager.create(User, {
          organisationId,
          email: dto.email,
          name: dto.name,
          roles: canonicalRoles(dto.roles),
          passwordHash,
          isSuperadmin: false,
          status: 'active',
          lastLoginAt: null,
        }),
      );
      await this.audit.record(manager, actor, {
        action: 'user.created',
        entityType: 'user',
        entityId: user.id,
        organisationId,
        changes: { email: user.email, name: user.name, roles: user.roles, status: user.status },
      });
      return toUserDto(user);
    });
  }

  async update(actor: Actor, id: string, dto: UpdateUserDto): Promise<UserDto> {
    return this.dataSource.transaction(async (manager) => {
      const user = await this.findManaged(manager, actor, id, { lock: true });
      if (user.isSuperadmin && !actor.isSuperadmin) {
        throw forbidden('Only a superadmin may change a superadmin');
      }
      const patch: Partial<Pick<User, 'name' | 'roles' | 'status'>> = {};
      if (dto.name !== undefined) patch.name = dto.name;
      if (dto.roles !== undefined) patch.roles = canonicalRoles(dto.roles);
      if (dto.status !== undefined) patch.status = dto.status;
      if (user.id === actor.id) refuseSelfLockout(user, patch);

      const changes = diff({ ...user, roles: canonicalRoles(user.roles) }, patch);
      if (Object.keys(changes).length === 0) return toUserDto(user);
      await manager.update(User, { id: user.id }, patch);
      if (changes.status && patch.status === 'disabled') await this.tokens.revokeAllForUser(manager, user.id);
      await this.audit.record(manager, actor, {
        action: 'user.updated',
        entityType: 'user',
        entityId: user.id,
        organisationId: user.organisationId,
        changes,
      });
      return toUserDto(await manager.findOneByOrFail(User, { id: user.id }));
    });
  }

  /** The caller's own organisation, or for a superadmin the one named. Another organisation is not found. */
  private async managedOrganisation(actor: Actor, requested: string | undefined): Promise<string> {
    if (!requested || requested === actor.organisationId) return actor.organisationId;
    if (!actor.isSuperadmin || !(await this.dataSource.manager.existsBy(Organisation, { id: requested }))) {
      throw notFound('Organisation');
    }
    return requested;
  }

  private async findManaged(
    manager: EntityManager,
    actor: Actor,
    id: string,
    options: { lock?: boolean } = {},
  ): Promise<User> {
    const query = manager.getRepository(User).createQueryBuilder('u').where('u.id = :id', { id });
    if (!actor.isSuperadmin) {
      query.andWhere('u.organisation_id = :organisationId', { organisationId: actor.organisationId });
    }
    if (options.lock) query.setLock('pessimistic_write');
    const user = await query.getOne();
    if (!user) throw notFound('User');
    return user;
  }
}

/** Administrators cannot demote or disable themselves, so an organisation is not left without one by accident. */
function refuseSelfLockout(self: User, patch: Partial<Pick<User, 'roles' | 'status'>>): void {
  if (patch.status === 'disabled') throw conflict('You cannot disable yourself', 'self-lockout');
  if (patch.roles && self.roles.includes('org_admin') && !patch.roles.includes('org_admin')) {
    throw conflict('You cannot give up your own organisation administrator role', 'self-lockout');
  }
}
