import type { Actor } from '@consortium/auth';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { paginate, type Page, type SortSpec } from '../../common/pagination';
import { forbidden } from '../../common/problem';
import { AuditService } from '../audit/audit.service';
import { administers } from '../consortia/consortium-access';
import { NotificationsService } from '../notifications/notifications.service';
import { ChargeComment } from './charge-comment.entity';
import { CrossCharge } from './cross-charge.entity';
import { findVisibleCharge, sideOf } from './cross-charges.access';
import { toChargeCommentDto } from './cross-charges.views';
import type { ChargeCommentDto } from './dto/cross-charges.dto';
import type { ChargeCommentListQuery, CreateChargeCommentDto } from './dto/charge-comments.dto';

const COMMENT_SORT: SortSpec = {
  fields: { createdAt: 'cc.createdAt' },
  default: 'createdAt',
  tieBreaker: 'cc.id',
};

/** Finance roles of a party that may write on a charge; API keys are held to `charges:write` by the guard. */
export function mayWriteForParty(actor: Actor): boolean {
  return actor.kind === 'api_key' || actor.roles.includes('finance') || actor.roles.includes('org_admin');
}

/**
 * The comment thread of a cross-charge: every review step writes one, and either party or the consortium's
 * administrators may add their own. Append-only (the database refuses UPDATE and DELETE).
 */
@Injectable()
export class ChargeCommentsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly notifications: NotificationsService,
  ) {}

  /** Writes a comment in the caller's transaction: the record of a step, or a free comment. */
  async append(
    manager: EntityManager,
    actor: Actor,
    charge: CrossCharge,
    body: string,
    disputeId: string | null = null,
  ): Promise<ChargeComment> {
    return manager.save(
      manager.create(ChargeComment, {
        crossChargeId: charge.id,
        disputeId,
        organisationId: actor.organisationId,
        authorLabel: actor.label,
        body,
      }),
    );
  }

  async list(actor: Actor, chargeId: string, query: ChargeCommentListQuery): Promise<Page<ChargeCommentDto>> {
    await findVisibleCharge(this.dataSource.manager, actor, chargeId);
    const comments = this.dataSource
      .getRepository(ChargeComment)
      .createQueryBuilder('cc')
      .where('cc.cross_charge_id = :chargeId', { chargeId });
    return paginate(comments, query, COMMENT_SORT, toChargeCommentDto);
  }

  /** A free comment by either party's finance team or a consortium administrator; the others hear of it. */
  async create(actor: Actor, chargeId: string, dto: CreateChargeCommentDto): Promise<ChargeCommentDto> {
    return this.dataSource.transaction(async (manager) => {
      const charge = await findVisibleCharge(manager, actor, chargeId);
      const side = sideOf(actor, charge);
      const isAdmin = administers(actor, charge.consortiumId);
      if (!isAdmin && !(side && mayWriteForParty(actor))) {
        throw forbidden("Only the parties' finance teams and the consortium's administrators may comment");
      }
      const comment = await this.append(manager, actor, charge, dto.body);
      await this.audit.record(manager, actor, {
        action: 'cross_charge.commented',
        entityType: 'cross_charge',
        entityId: charge.id,
        consortiumId: charge.consortiumId,
        changes: { commentId: comment.id },
      });
      const recipients = [charge.providerOrganisationId, charge.consumerOrganisationId].filter(
        (organisationId) =>
          organisationId !== actor.organisationId &&
          (charge.status !== 'draft' || organisationId === charge.providerOrganisationId),
      );
      for (const organisationId of recipients) {
        await this.notifications.notify(manager, {
          organisationId,
          consortiumId: charge.consortiumId,
          kind: 'cross_charge.commented',
          title: `New comment on ${charge.reference}`,
          body: `${actor.label}: ${dto.body.slice(0, 500)}`,
          entityType: 'cross_charge',
          entityId: charge.id,
        });
      }
      return toChargeCommentDto(comment);
    });
  }
}
