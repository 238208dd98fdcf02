import type { Actor } from '@consortium/auth';
import {
  DomainError,
  MEMBERSHIP_ACTION_PARTY,
  MEMBERSHIP_EVENT,
  MEMBERSHIP_STATUSES_VISIBLE_TO_MEMBERS,
  type MembershipAction,
  transitionMembership,
} from '@consortium/domain';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { paginate, type Page, type SortSpec } from '../../common/pagination';
import { forbidden, notFound } from '../../common/problem';
import { AuditService } from '../audit/audit.service';
import { Organisation } from '../organisations/organisation.entity';
import { User } from '../users/user.entity';
import { administers, canSeeMembership, findVisibleConsortium, lockConsortium } from './consortium-access';
import { Consortium } from './consortium.entity';
import { ConsortiumAdmin } from './consortium-admin.entity';
import { MemberDto, MemberListQuery } from './dto/membership.dto';
import { Membership } from './membership.entity';

const MEMBER_SORT: SortSpec = {
  fields: { name: 'o.name', createdAt: 'm.createdAt', updatedAt: 'm.updatedAt' },
  default: 'name',
  tieBreaker: 'm.id',
};

/** The actions taken on an existing membership through POST …/members/:organisationId/<action>. */
export type MembershipDecision = Exclude<MembershipAction, 'request' | 'invite'>;

/**
 * Joining, leaving and everything between, following membershipLifecycle. Each change locks the membership row
 * (after a shared lock on the consortium) so two concurrent decisions cannot both apply, and is audited in the
 * same transaction under the consortium and the member organisation.
 */
@Injectable()
export class MembershipsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  /** Members see the active and suspended members; the consortium's administrators see every membership. */
  async list(actor: Actor, consortiumId: string, query: MemberListQuery): Promise<Page<MemberDto>> {
    await findVisibleConsortium(this.dataSource.manager, actor, consortiumId);
    const isAdmin = administers(actor, consortiumId);
    const members = this.dataSource
      .getRepository(Membership)
      .createQueryBuilder('m')
      .innerJoinAndSelect('m.organisation', 'o')
      .where('m.consortium_id = :consortiumId', { consortiumId });
    if (!isAdmin) {
      members.andWhere('m.status = ANY(CAST(:visible AS membership_status[]))', {
        visible: MEMBERSHIP_STATUSES_VISIBLE_TO_MEMBERS,
      });
    }
    if (query.status) members.andWhere('m.status = :status', { status: query.status });
    return paginate(members, query, MEMBER_SORT, (membership) => toMemberDto(membership, actor));
  }

  /** The caller's organisation asks to join (again). */
  async requestToJoin(actor: Actor, consortiumId: string, note: string | undefined): Promise<MemberDto> {
    return this.dataSource.transaction(async (manager) => {
      const consortium = await lockConsortium(manager, consortiumId, 'shared');
      if (!consortium) throw notFound('Consortium');
      const membership = await this.lockMembership(manager, consortiumId, actor.organisationId);
      const next = transitionMembership(membership ?? NO_MEMBERSHIP, 'request', new Date());
      if (!consortium.rules.acceptsJoinRequests) {
        throw new DomainError(
          'invalid',
          'join-requests-closed',
          `${consortium.name} does not accept requests to join: its administrators invite new members`,
        );
      }
      return this.apply(manager, actor, consortium, actor.organisationId, membership, 'request', next, note);
    });
  }

  /** A consortium administrator invites an organisation (again). */
  async invite(
    actor: Actor,
    consortiumId: string,
    organisationId: string,
    note: string | undefined,
  ): Promise<MemberDto> {
    return this.dataSource.transaction(async (manager) => {
      const consortium = await findVisibleConsortium(manager, actor, consortiumId, 'shared');
      if (!administers(actor, consortiumId)) {
        throw forbidden("Only the consortium's administrators may invite organisations");
      }
      if (!(await manager.existsBy(Organisation, { id: organisationId }))) throw notFound('Organisation');
      const membership = await this.lockMembership(manager, consortiumId, organisationId);
      const next = transitionMembership(membership ?? NO_MEMBERSHIP, 'invite', new Date());
      return this.apply(manager, actor, consortium, organisationId, membership, 'invite', next, note);
    });
  }

  /**
   * Approve, reject, suspend and reinstate belong to the consortium's administrators; accept, decline and leave
   * to the member organisation's administrators. The wrong party is refused (403) if it can see the membership,
   * and told it does not exist (404) otherwise.
   */
  async decide(
    actor: Actor,
    consortiumId: string,
    organisationId: string,
    action: MembershipDecision,
    reason: string | undefined,
  ): Promise<MemberDto> {
    return this.dataSource.transaction(async (manager) => {
      // Leaving may remove administrators, which needs the exclusive consortium lock (see lockConsortium).
      const consortium = await lockConsortium(
        manager,
        consortiumId,
        action === 'leave' ? 'exclusive' : 'shared',
      );
      const membership = consortium ? await this.lockMembership(manager, consortiumId, organisationId) : null;
      if (!consortium || !membership) throw notFound('Membership');
      const party = MEMBERSHIP_ACTION_PARTY[action];
      const entitled =
        party === 'consortium'
          ? administers(actor, consortiumId)
          : actor.kind === 'user' &&
            actor.organisationId === organisationId &&
            actor.roles.includes('org_admin');
      if (!entitled) {
        if (!canSeeMembership(actor, membership)) throw notFound('Membership');
        throw forbidden(
          party === 'consortium'
            ? `Only the consortium's administrators may ${action} a membership`
            : `Only the member organisation's administrators may ${action} its membership`,
        );
      }
      const next = transitionMembership(membership, action, new Date());
      if (action === 'leave') await this.dropAdministratorsOf(manager, actor, consortium, organisationId);
      return this.apply(manager, actor, consortium, organisationId, membership, action, next, reason);
    });
  }

  private async apply(
    manager: EntityManager,
    actor: Actor,
    consortium: Consortium,
    organisationId: string,
    current: Membership | null,
    action: MembershipAction,
    next: ReturnType<typeof transitionMembership>,
    note: string | undefined,
  ): Promise<MemberDto> {
    const values = { ...next, note: note ?? null };
    let id: string;
    if (current) {
      await manager.update(Membership, { id: current.id }, values);
      id = current.id;
    } else {
      const inserted = await manager.insert(Membership, {
        consortiumId: consortium.id,
        organisationId,
        ...values,
      });
      id = inserted.identifiers[0].id as string;
    }
    await this.audit.record(manager, actor, {
      action: MEMBERSHIP_EVENT[action],
      entityType: 'membership',
      entityId: id,
      consortiumId: consortium.id,
      // The change is the member organisation's, so its administrators find it in their own audit trail.
      organisationId,
      changes: {
        status: { from: current?.status ?? null, to: next.status },
        ...(note !== undefined ? { note } : {}),
      },
    });
    const saved = await manager.findOneOrFail(Membership, {
      where: { id },
      relations: { organisation: true },
    });
    return toMemberDto(saved, actor);
  }

  private lockMembership(
    manager: EntityManager,
    consortiumId: string,
    organisationId: string,
  ): Promise<Membership | null> {
    return manager
      .getRepository(Membership)
      .createQueryBuilder('m')
      .setLock('pessimistic_write')
      .where('m.consortium_id = :consortiumId AND m.organisation_id = :organisationId', {
        consortiumId,
        organisationId,
      })
      .getOne();
  }

  /**
   * An organisation that leaves takes its users' administrator roles with it, but may not leave the consortium
   * without any administrator: another must be appointed first.
   */
  private async dropAdministratorsOf(
    manager: EntityManager,
    actor: Actor,
    consortium: Consortium,
    organisationId: string,
  ): Promise<void> {
    const admins = await manager
      .getRepository(ConsortiumAdmin)
      .createQueryBuilder('ca')
      .innerJoin(User, 'u', 'u.id = ca.user_id')
      .select(['ca.userId AS user_id', 'u.organisationId AS organisation_id'])
      .where('ca.consortium_id = :consortiumId', { consortiumId: consortium.id })
      .getRawMany<{ user_id: string; organisation_id: string }>();
    const leaving = admins.filter((admin) => admin.organisation_id === organisationId);
    if (leaving.length === 0) return;
    if (leaving.length === admins.length) {
      throw new DomainError(
        'conflict',
        'last-admin',
        `Your organisation's users are ${consortium.name}'s only administrators: appoint one from another member before leaving`,
      );
    }
    for (const admin of leaving) {
      await manager.delete(ConsortiumAdmin, { consortiumId: consortium.id, userId: admin.user_id });
      await this.audit.record(manager, actor, {
        action: 'consortium.admin_removed',
        entityType: 'user',
        entityId: admin.user_id,
        consortiumId: consortium.id,
        organisationId,
        changes: { userId: admin.user_id, reason: 'organisation left the consortium' },
      });
    }
  }
}

const NO_MEMBERSHIP = { status: null, joinedAt: null, leftAt: null };

function toMemberDto(membership: Membership, actor: Actor): MemberDto {
  const organisation = membership.organisation as Organisation;
  const seesNote =
    administers(actor, membership.consortiumId) || actor.organisationId === membership.organisationId;
  return {
    id: membership.id,
    consortiumId: membership.consortiumId,
    organisationId: membership.organisationId,
    organisationName: organisation.name,
    organisationType: organisation.type,
    status: membership.status,
    note: seesNote ? membership.note : null,
    joinedAt: membership.joinedAt,
    leftAt: membership.leftAt,
    createdAt: membership.createdAt,
    updatedAt: membership.updatedAt,
  };
}
