import type { Actor } from '@consortium/auth';
import {
  crossChargeLifecycle,
  type Currency,
  type DisputeAction,
  disputeLifecycle,
  formatMoney,
  UNRESOLVED_DISPUTE_STATUSES,
} from '@consortium/domain';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { forbidden, notFound } from '../../common/problem';
import { AuditService } from '../audit/audit.service';
import { administers } from '../consortia/consortium-access';
import { NotificationsService } from '../notifications/notifications.service';
import { Organisation } from '../organisations/organisation.entity';
import { ChargeCommentsService } from './charge-comments.service';
import { CreditNote } from './credit-note.entity';
import { type CreditAmount, CreditNotesService } from './credit-notes.service';
import { CrossCharge } from './cross-charge.entity';
import { canSeeCharge, lockChargeForChange, sideOf } from './cross-charges.access';
import { toCreditNoteDto, toDisputeDto } from './cross-charges.views';
import type { AcceptDisputeDto, DisputeOutcomeDto, UpholdDisputeDto } from './dto/disputes.dto';
import { Dispute } from './dispute.entity';

/** Who may take each step: a party of the charge, either party, or the consortium's administrators. */
const DECIDED_BY: Record<DisputeAction, 'provider' | 'consumer' | 'either' | 'consortium_admin'> = {
  accept: 'provider',
  reject: 'provider',
  escalate: 'either',
  uphold: 'consortium_admin',
  dismiss: 'consortium_admin',
  withdraw: 'consumer',
};

const PAST_TENSE: Record<DisputeAction, string> = {
  accept: 'accepted',
  reject: 'rejected',
  escalate: 'escalated',
  uphold: 'upheld',
  dismiss: 'dismissed',
  withdraw: 'withdrawn',
};

/**
 * A dispute's life after it is raised: the provider accepts (a credit note follows) or rejects; either party may
 * escalate to the consortium's administrators, who uphold (a credit note follows) or dismiss; the consumer may
 * withdraw. When no dispute on the charge awaits a decision any more, the charge returns to issued.
 */
@Injectable()
export class DisputesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly notifications: NotificationsService,
    private readonly comments: ChargeCommentsService,
    private readonly creditNotes: CreditNotesService,
  ) {}

  accept(actor: Actor, id: string, dto: AcceptDisputeDto): Promise<DisputeOutcomeDto> {
    const amount: CreditAmount =
      dto.correctedNetMinor !== undefined
        ? { correctedNetMinor: BigInt(dto.correctedNetMinor) }
        : { wholeLine: true };
    return this.decide(actor, id, 'accept', dto.reason, amount);
  }

  reject(actor: Actor, id: string, reason: string): Promise<DisputeOutcomeDto> {
    return this.decide(actor, id, 'reject', reason);
  }

  escalate(actor: Actor, id: string, reason: string): Promise<DisputeOutcomeDto> {
    return this.decide(actor, id, 'escalate', reason);
  }

  uphold(actor: Actor, id: string, dto: UpholdDisputeDto): Promise<DisputeOutcomeDto> {
    const amount: CreditAmount =
      dto.creditNetMinor !== undefined ? { creditNetMinor: BigInt(dto.creditNetMinor) } : { wholeLine: true };
    return this.decide(actor, id, 'uphold', dto.reason, amount);
  }

  dismiss(actor: Actor, id: string, reason: string): Promise<DisputeOutcomeDto> {
    return this.decide(actor, id, 'dismiss', reason);
  }

  withdraw(actor: Actor, id: string, reason: string): Promise<DisputeOutcomeDto> {
    return this.decide(actor, id, 'withdraw', reason);
  }

  private async decide(
    actor: Actor,
    id: string,
    action: DisputeAction,
    reason: string,
    credit?: CreditAmount,
  ): Promise<DisputeOutcomeDto> {
    return this.dataSource.transaction(async (manager) => {
      const found = await manager.findOneBy(Dispute, { id });
      const visibleCharge = found ? await manager.findOneBy(CrossCharge, { id: found.crossChargeId }) : null;
      if (!found || !visibleCharge || !canSeeCharge(actor, visibleCharge)) throw notFound('Dispute');
      // Lock order: period, charge, then the dispute.
      const { charge } = await lockChargeForChange(manager, actor, visibleCharge.id);
      const dispute = await manager
        .getRepository(Dispute)
        .createQueryBuilder('d')
        .setLock('pessimistic_write')
        .where('d.id = :id', { id })
        .getOneOrFail();
      this.assertMayDecide(actor, charge, action);
      if (DECIDED_BY[action] === 'consortium_admin') {
        await this.assertNoConflictOfInterest(manager, actor, charge);
      }
      const status = disputeLifecycle.next(dispute.status, action);
      const resolved = !UNRESOLVED_DISPUTE_STATUSES.includes(status);

      const creditNote = credit
        ? await this.creditNotes.creditLine(manager, actor, charge, dispute, credit, reason)
        : null;
      await manager.update(
        Dispute,
        { id: dispute.id },
        {
          status,
          resolution: action === 'escalate' ? dispute.resolution : reason,
          resolvedAt: resolved ? new Date() : null,
        },
      );
      const chargeStatus = await this.settleChargeStatus(manager, charge);

      const creditText = creditNote
        ? ` Credit note ${creditNote.reference} for ${formatMoney({
            amountMinor: BigInt(creditNote.grossMinor),
            currency: creditNote.currency.trim() as Currency,
          })}.`
        : '';
      await this.comments.append(
        manager,
        actor,
        charge,
        `${PAST_TENSE[action][0].toUpperCase()}${PAST_TENSE[action].slice(1)} the dispute: ${reason}.${creditText}`,
        dispute.id,
      );
      await this.audit.record(manager, actor, {
        action: `dispute.${PAST_TENSE[action]}`,
        entityType: 'dispute',
        entityId: dispute.id,
        consortiumId: charge.consortiumId,
        changes: {
          status: { from: dispute.status, to: status },
          reason,
          crossChargeId: charge.id,
          ...(chargeStatus !== charge.status
            ? { chargeStatus: { from: charge.status, to: chargeStatus } }
            : {}),
          ...(creditNote
            ? {
                creditNoteId: creditNote.id,
                creditGrossMinor: creditNote.grossMinor,
                journalEntryId: creditNote.journalEntryId,
              }
            : {}),
        },
      });
      await this.tellTheOthers(manager, actor, charge, action, reason, creditText);
      if (creditNote) await this.publishCredit(manager, charge, dispute.id, creditNote);
      const updated = await manager.findOneByOrFail(Dispute, { id: dispute.id });
      return {
        dispute: toDisputeDto(updated),
        creditNote: creditNote
          ? toCreditNoteDto(await manager.findOneByOrFail(CreditNote, { id: creditNote.id }))
          : null,
        crossChargeStatus: chargeStatus,
      };
    });
  }

  private assertMayDecide(actor: Actor, charge: CrossCharge, action: DisputeAction): void {
    const who = DECIDED_BY[action];
    const side = sideOf(actor, charge);
    const allowed =
      who === 'consortium_admin'
        ? administers(actor, charge.consortiumId)
        : who === 'either'
          ? side !== null
          : side === who;
    if (!allowed) {
      const doer =
        who === 'consortium_admin'
          ? "the consortium's administrators"
          : who === 'either'
            ? 'a party of the charge'
            : `the charge's ${who}`;
      throw forbidden(`Only ${doer} may ${action} a dispute`);
    }
  }

  /**
   * An administrator whose own organisation is a party of the charge may not decide its escalated dispute, nor may
   * a superadmin of a party: another administrator of the consortium decides.
   */
  private async assertNoConflictOfInterest(
    manager: EntityManager,
    actor: Actor,
    charge: CrossCharge,
  ): Promise<void> {
    const party =
      actor.organisationId === charge.providerOrganisationId
        ? 'provider'
        : actor.organisationId === charge.consumerOrganisationId
          ? 'consumer'
          : null;
    if (!party) return;
    const organisation = await manager.findOneByOrFail(Organisation, { id: actor.organisationId });
    throw forbidden(
      `You may not decide this dispute: your organisation, ${organisation.name}, is the ${party} of ` +
        `${charge.reference} (a conflict of interest). Another administrator of the consortium must decide it.`,
      'conflict-of-interest',
    );
  }

  /** A disputed charge with no dispute left awaiting a decision returns to issued, ready for approval. */
  private async settleChargeStatus(
    manager: EntityManager,
    charge: CrossCharge,
  ): Promise<CrossCharge['status']> {
    if (charge.status !== 'disputed') return charge.status;
    const unresolved = await manager.countBy(Dispute, {
      crossChargeId: charge.id,
      status: In([...UNRESOLVED_DISPUTE_STATUSES]),
    });
    if (unresolved > 0) return charge.status;
    const status = crossChargeLifecycle.next(charge.status, 'resolve_disputes');
    await manager.update(CrossCharge, { id: charge.id }, { status });
    return status;
  }

  /** Both parties' finance systems book a credit note; people read of it in the dispute notification. */
  private async publishCredit(
    manager: EntityManager,
    charge: CrossCharge,
    disputeId: string,
    creditNote: CreditNote,
  ): Promise<void> {
    for (const organisationId of [charge.providerOrganisationId, charge.consumerOrganisationId]) {
      await this.notifications.publish(manager, {
        organisationId,
        consortiumId: charge.consortiumId,
        kind: 'cross_charge.credited',
        title: `Credit note ${creditNote.reference} against ${charge.reference}`,
        entityType: 'cross_charge',
        entityId: charge.id,
        data: {
          crossChargeId: charge.id,
          reference: charge.reference,
          creditNoteId: creditNote.id,
          creditNoteReference: creditNote.reference,
          disputeId,
          netMinor: creditNote.netMinor,
          vatMinor: creditNote.vatMinor,
          grossMinor: creditNote.grossMinor,
          currency: creditNote.currency.trim(),
        },
      });
    }
  }

  /** The other party hears of every step; on an escalation and its decision, both parties do. */
  private async tellTheOthers(
    manager: EntityManager,
    actor: Actor,
    charge: CrossCharge,
    action: DisputeAction,
    reason: string,
    creditText: string,
  ): Promise<void> {
    const recipients = [charge.providerOrganisationId, charge.consumerOrganisationId].filter(
      (organisationId) => organisationId !== actor.organisationId,
    );
    for (const organisationId of recipients) {
      await this.notifications.notify(manager, {
        organisationId,
        consortiumId: charge.consortiumId,
        kind: `dispute.${PAST_TENSE[action]}`,
        title: `A dispute on ${charge.reference} was ${PAST_TENSE[action]}`,
        body: `${reason}.${creditText}`,
        entityType: 'cross_charge',
        entityId: charge.id,
      });
    }
  }
}
