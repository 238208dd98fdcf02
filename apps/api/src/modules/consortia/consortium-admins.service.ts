import type { Actor } from '@consortium/auth';
import { DomainError } from '@consortium/domain';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { paginate, type Page, type SortSpec } from '../../common/pagination';
import { conflict, forbidden, notFound } from '../../common/problem';
import { AuditService } from '../audit/audit.service';
import { User } from '../users/user.entity';
import { administers, findVisibleConsortium } from './consortium-access';
import { ConsortiumAdmin } from './consortium-admin.entity';
import {
  AddConsortiumAdminDto,
  ConsortiumAdminDto,
  ConsortiumAdminListQuery,
} from './dto/consortium-admin.dto';
import { Membership } from './membership.entity';

const ADMIN_SORT: SortSpec = {
  fields: { name: 'u.name', email: 'u.email' },
  default: 'name',
  tieBreaker: 'u.id',
};

/**
 * A consortium's administrators (the per-consortium `consortium_admin` role). Administrators are users of active
 * member organisations; a consortium is never left without one.
 */
@Injectable()
export class ConsortiumAdminsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  async list(
    actor: Actor,
    consortiumId: string,
    query: ConsortiumAdminListQuery,
  ): Promise<Page<ConsortiumAdminDto>> {
    const manager = this.dataSource.manager;
    await this.findAdministered(manager, actor, consortiumId);
    const users = manager
      .getRepository(User)
      .createQueryBuilder('u')
      .innerJoin(ConsortiumAdmin, 'ca', 'ca.user_id = u.id AND ca.consortium_id = :consortiumId', {
        consortiumId,
      })
      .innerJoinAndSelect('u.organisation', 'o');
    const page = await paginate(users, query, ADMIN_SORT, (user) => user);
    const grants = await manager.find(ConsortiumAdmin, {
      where: { consortiumId, userId: In(page.data.map((user) => user.id)) },
    });
    const grantedAt = new Map(grants.map((grant) => [grant.userId, grant.grantedAt]));
    return {
      data: page.data.map((user) => toAdminDto(user, grantedAt.get(user.id) as Date)),
      page: page.page,
    };
  }

  async add(actor: Actor, consortiumId: string, dto: AddConsortiumAdminDto): Promise<ConsortiumAdminDto> {
    return this.dataSource.transaction(async (manager) => {
      await this.findAdministered(manager, actor, consortiumId, 'exclusive');
      const user = await manager.findOne(User, {
        where: { id: dto.userId },
        relations: { organisation: true },
      });
      const membership = user
        ? await manager.findOneBy(Membership, { consortiumId, organisationId: user.organisationId })
        : null;
      // A user whose organisation has nothing to do with this consortium is none of its administrators' business.
      if (!user || !membership) throw notFound('User');
      if (membership.status !== 'active' || user.status !== 'active') {
        throw new DomainError(
          'invalid',
          'admin-not-active-member',
          'A consortium administrator must be an active user of an active member organisation',
          { membershipStatus: membership.status, userStatus: user.status },
        );
      }
      if (await manager.existsBy(ConsortiumAdmin, { consortiumId, userId: user.id })) {
        throw conflict('This user already administers the consortium', 'already-admin');
      }
      await manager.insert(ConsortiumAdmin, { consortiumId, userId: user.id });
      await this.audit.record(manager, actor, {
        action: 'consortium.admin_added',
        entityType: 'user',
        entityId: user.id,
        consortiumId,
        changes: { userId: user.id, email: user.email, organisationId: user.organisationId },
      });
      const grant = await manager.findOneByOrFail(ConsortiumAdmin, { consortiumId, userId: user.id });
      return toAdminDto(user, grant.grantedAt);
    });
  }

  async remove(actor: Actor, consortiumId: string, userId: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await this.findAdministered(manager, actor, consortiumId, 'exclusive');
      const admins = await manager.find(ConsortiumAdmin, { where: { consortiumId } });
      if (!admins.some((admin) => admin.userId === userId)) throw notFound('Consortium administrator');
      if (admins.length === 1) {
        throw conflict(
          'This is the consortium’s last administrator: appoint another before removing them',
          'last-admin',
        );
      }
      await manager.delete(ConsortiumAdmin, { consortiumId, userId });
      await this.audit.record(manager, actor, {
        action: 'consortium.admin_removed',
        entityType: 'user',
        entityId: userId,
        consortiumId,
        changes: { userId },
      });
    });
  }

  /** Visible consortia are 403 to non-administrators; others are not found. */
  private async findAdministered(
    manager: EntityManager,
    actor: Actor,
    consortiumId: string,
    lock?: 'exclusive',
  ): Promise<void> {
    await findVisibleConsortium(manager, actor, consortiumId, lock);
    if (!administers(actor, consortiumId)) {
      throw forbidden("Only the consortium's administrators may manage its administrators");
    }
  }
}

function toAdminDto(user: User, grantedAt: Date): ConsortiumAdminDto {
  return {
    userId: user.id,
    name: user.name,
    email: user.email,
    organisationId: user.organisationId,
    organisationName: user.organisation?.name ?? '',
    grantedAt,
  };
}
