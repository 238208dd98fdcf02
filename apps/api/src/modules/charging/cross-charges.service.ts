import type { Actor } from '@consortium/auth';
import {
  assertPeriodAllows,
  billingPeriodFromKey,
  billingPeriodLabel,
  type Currency,
  crossChargeLifecycle,
  formatMoney,
  UNRESOLVED_DISPUTE_STATUSES,
} from '@consortium/domain';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { paginate, type Page, type SortSpec } from '../../common/pagination';
import { conflict, forbidden, invalid, notFound } from '../../common/problem';
import { AuditService } from '../audit/audit.service';
import { BillingPeriodRecord } from '../billing-periods/billing-period.entity';
import { lockPeriodFor } from '../billing-periods/period-lock';
import { Service } from '../catalogue/service.entity';
import { PriceVersion } from '../catalogue/price-version.entity';
import { canSeeConsortium } from '../consortia/consortium-access';
import { LedgerService } from '../ledger/ledger.service';
import { NotificationsService } from '../notifications/notifications.service';
import { assertNoChargeRunInProgress } from './charge-run-guard';
import { ChargeComment } from './charge-comment.entity';
import { ChargeCommentsService } from './charge-comments.service';
import { CreditNote } from './credit-note.entity';
import { CrossChargeLine } from './cross-charge-line.entity';
import { CrossCharge } from './cross-charge.entity';
import {
  assertSide,
  canSeeCharge,
  findVisibleCharge,
  lockChargeForChange,
  whereChargeVisible,
} from './cross-charges.access';
import {
  moneyOf,
  toChargeCommentDto,
  toCreditNoteDto,
  toCrossChargeDto,
  toDisputeDto,
} from './cross-charges.views';
import type {
  CrossChargeDetailDto,
  CrossChargeDto,
  CrossChargeListQuery,
  DisputeDto,
  IssuedChargesDto,
} from './dto/cross-charges.dto';
import type { CreditNoteListQuery, CreditNoteSummaryDto } from './dto/credit-notes.dto';
import type { DisputeReasonDto } from './dto/disputes.dto';
import { Dispute } from './dispute.entity';

const CREDIT_NOTE_SORT: SortSpec = {
  fields: { createdAt: 'n.createdAt', grossMinor: 'n.grossMinor', reference: 'n.reference' },
  default: '-createdAt',
  tieBreaker: 'n.id',
};

const CHARGE_SORT: SortSpec = {
  fields: { createdAt: 'c.createdAt', grossMinor: 'c.grossMinor', reference: 'c.reference' },
  default: '-createdAt',
  tieBreaker: 'c.id',
};

/** The ledger source of a cross-charge's posting. */
export const CHARGE_SOURCE = 'cross_charge';

/**
 * Finance review of cross-charges: the provider's finance team issues its drafts (posting them to the ledger),
 * the consumer's approves or disputes lines. Every change locks the charge row (after its period, FOR SHARE), so
 * concurrent approve and dispute of one charge end in one consistent outcome; every change is audited, noted in the
 * charge's comment thread and notified to the other side, in its own transaction.
 */
@Injectable()
export class CrossChargesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly notifications: NotificationsService,
    private readonly ledger: LedgerService,
    private readonly comments: ChargeCommentsService,
  ) {}

  async list(actor: Actor, query: CrossChargeListQuery): Promise<Page<CrossChargeDto>> {
    if (query.periodKey && !query.consortiumId) {
      throw invalid('periodKey needs consortiumId', [
        { field: 'periodKey', message: 'name the consortium (consortiumId) the period belongs to' },
      ]);
    }
    const own = actor.organisationId;
    const charges = this.dataSource
      .getRepository(CrossCharge)
      .createQueryBuilder('c')
      .innerJoinAndSelect('c.billingPeriod', 'bp')
      .innerJoinAndSelect('c.provider', 'prov')
      .innerJoinAndSelect('c.consumer', 'cons');
    whereChargeVisible(charges, actor, 'c');
    if (query.consortiumId)
      charges.andWhere('c.consortium_id = :consortiumId', { consortiumId: query.consortiumId });
    if (query.billingPeriodId) {
      charges.andWhere('c.billing_period_id = :billingPeriodId', { billingPeriodId: query.billingPeriodId });
    }
    if (query.periodKey) charges.andWhere('bp.key = :periodKey', { periodKey: query.periodKey });
    if (query.direction === 'to_us') charges.andWhere('c.consumer_organisation_id = :own', { own });
    if (query.direction === 'from_us') charges.andWhere('c.provider_organisation_id = :own', { own });
    if (query.counterpartyId) {
      charges.andWhere(
        `((c.provider_organisation_id = :counterparty AND c.consumer_organisation_id = :own)
          OR (c.consumer_organisation_id = :counterparty AND c.provider_organisation_id = :own)
          OR (c.provider_organisation_id <> :own AND c.consumer_organisation_id <> :own
              AND (c.provider_organisation_id = :counterparty OR c.consumer_organisation_id = :counterparty)))`,
        { counterparty: query.counterpartyId, own },
      );
    }
    if (query.status) charges.andWhere('c.status = :status', { status: query.status });
    if (query.minAmount) charges.andWhere('c.gross_minor >= :minAmount', { minAmount: query.minAmount });
    if (query.maxAmount) charges.andWhere('c.gross_minor <= :maxAmount', { maxAmount: query.maxAmount });
    return paginate(charges, query, CHARGE_SORT, (charge) => toCrossChargeDto(actor, charge));
  }

  /**
   * Credit notes on the charges the caller may see (the same rule as the charges list), with the charge each
   * corrects; filtered by consortium, period and direction.
   */
  async listCreditNotes(actor: Actor, query: CreditNoteListQuery): Promise<Page<CreditNoteSummaryDto>> {
    const own = actor.organisationId;
    const notes = this.dataSource
      .getRepository(CreditNote)
      .createQueryBuilder('n')
      .innerJoinAndSelect('n.crossCharge', 'c')
      .innerJoinAndSelect('c.billingPeriod', 'bp')
      .innerJoinAndSelect('c.provider', 'prov')
      .innerJoinAndSelect('c.consumer', 'cons');
    whereChargeVisible(notes, actor, 'c');
    if (query.consortiumId)
      notes.andWhere('c.consortium_id = :consortiumId', { consortiumId: query.consortiumId });
    if (query.billingPeriodId) {
      notes.andWhere('n.billing_period_id = :billingPeriodId', { billingPeriodId: query.billingPeriodId });
    }
    if (query.direction === 'to_us') notes.andWhere('c.consumer_organisation_id = :own', { own });
    if (query.direction === 'from_us') notes.andWhere('c.provider_organisation_id = :own', { own });
    return paginate(notes, query, CREDIT_NOTE_SORT, (note) => {
      // Inner-joined above, so always loaded.
      const charge = toCrossChargeDto(actor, note.crossCharge as CrossCharge);
      return {
        ...toCreditNoteDto(note),
        crossChargeReference: charge.reference,
        consortiumId: charge.consortiumId,
        billingPeriod: charge.billingPeriod,
        provider: charge.provider,
        consumer: charge.consumer,
        direction: charge.direction,
      };
    });
  }

  async get(actor: Actor, id: string): Promise<CrossChargeDetailDto> {
    await findVisibleCharge(this.dataSource.manager, actor, id);
    return this.detail(this.dataSource.manager, actor, id);
  }

  /** The charge with everything that makes it traceable: lines, disputes, credit notes and the comment thread. */
  async detail(manager: EntityManager, actor: Actor, id: string): Promise<CrossChargeDetailDto> {
    const charge = await manager.findOneOrFail(CrossCharge, {
      where: { id },
      relations: { provider: true, consumer: true, billingPeriod: true },
    });
    const lines = await manager.find(CrossChargeLine, {
      where: { crossChargeId: id },
      order: { lineKey: 'ASC' },
    });
    const services = await manager.find(Service, {
      where: { id: In([...new Set(lines.map((l) => l.serviceId))]) },
    });
    const versions = await manager.find(PriceVersion, {
      where: { id: In([...new Set(lines.map((l) => l.priceVersionId))]) },
    });
    const disputes = await manager.find(Dispute, {
      where: { crossChargeId: id },
      order: { createdAt: 'ASC' },
    });
    const creditNotes = await manager.find(CreditNote, {
      where: { crossChargeId: id },
      order: { createdAt: 'ASC' },
    });
    const comments = await manager.find(ChargeComment, {
      where: { crossChargeId: id },
      order: { createdAt: 'ASC', id: 'ASC' },
    });
    const supplements = (
      await manager.find(CrossCharge, { where: { supplementOfId: id }, order: { createdAt: 'ASC' } })
    ).filter((supplement) => canSeeCharge(actor, supplement));
    const supplementLines = await manager.find(CrossChargeLine, {
      where: { crossChargeId: In(supplements.map((s) => s.id)) },
      order: { lineKey: 'ASC' },
    });
    const supplementReference = new Map(supplements.map((s) => [s.id, s.reference]));
    const titleOf = new Map(services.map((s) => [s.id, s.title]));
    const versionOf = new Map(versions.map((v) => [v.id, v.version]));
    const creditedOnLine = new Map<string, bigint>();
    for (const note of creditNotes) {
      if (note.crossChargeLineId) {
        creditedOnLine.set(
          note.crossChargeLineId,
          (creditedOnLine.get(note.crossChargeLineId) ?? 0n) + BigInt(note.grossMinor),
        );
      }
    }
    const currency = charge.currency;
    return {
      ...toCrossChargeDto(actor, charge),
      credited: moneyOf(
        creditNotes.reduce((sum, note) => sum + BigInt(note.grossMinor), 0n),
        currency,
      ),
      lines: lines.map((line) => ({
        id: line.id,
        subscriptionId: line.subscriptionId,
        serviceId: line.serviceId,
        serviceTitle: titleOf.get(line.serviceId) ?? '',
        priceVersionId: line.priceVersionId,
        priceVersion: versionOf.get(line.priceVersionId) ?? 0,
        lineKey: line.lineKey,
        kind: line.kind,
        description: line.description,
        quantity: line.quantity,
        unitRate: line.unitRate,
        net: moneyOf(line.netMinor, currency),
        vat: moneyOf(line.vatMinor, currency),
        gross: moneyOf(BigInt(line.netMinor) + BigInt(line.vatMinor), currency),
        vatTreatment: line.vatTreatment,
        credited: moneyOf(creditedOnLine.get(line.id) ?? 0n, currency),
        detail: line.detail,
      })),
      disputes: disputes.map(toDisputeDto),
      creditNotes: creditNotes.map(toCreditNoteDto),
      comments: comments.map(toChargeCommentDto),
      supplements: supplements.map((s) => ({ id: s.id, reference: s.reference })),
      supplementNotes: supplementLines.map(
        (line) => `${line.description}, charged on ${supplementReference.get(line.crossChargeId)}`,
      ),
    };
  }

  /** The provider issues a draft: draft → issued, posted to the ledger, and the consumer is told. */
  async issue(actor: Actor, id: string): Promise<CrossChargeDetailDto> {
    return this.dataSource.transaction(async (manager) => {
      const { charge, period } = await lockChargeForChange(manager, actor, id, {
        unlessChargeRunIs: 'issue the charge',
      });
      assertSide(actor, charge, 'provider', 'issue it');
      await this.issueLocked(manager, actor, charge, period);
      return this.detail(manager, actor, id);
    });
  }

  /** Issues every draft the caller's organisation provides in the period, each posted to the ledger. */
  async issueForPeriod(actor: Actor, billingPeriodId: string): Promise<IssuedChargesDto> {
    return this.dataSource.transaction(async (manager) => {
      const unlocked = await manager.findOneBy(BillingPeriodRecord, { id: billingPeriodId });
      if (!unlocked || !canSeeConsortium(actor, unlocked.consortiumId)) throw notFound('Billing period');
      const period = await lockPeriodFor(manager, billingPeriodId, null);
      assertPeriodAllows(period.status, 'issue_charges');
      await assertNoChargeRunInProgress(manager, period, 'issue the charges');
      // Locked in id order, as a charge run locks a pair's charges, so the two never deadlock.
      const drafts = await manager
        .getRepository(CrossCharge)
        .createQueryBuilder('c')
        .setLock('pessimistic_write')
        .where(
          "c.billing_period_id = :billingPeriodId AND c.provider_organisation_id = :own AND c.status = 'draft'",
          {
            billingPeriodId,
            own: actor.organisationId,
          },
        )
        .orderBy('c.id')
        .getMany();
      if (drafts.length > 0 && !drafts.every((draft) => actor.activeConsortia.includes(draft.consortiumId))) {
        throw forbidden("Only the consortium's active members may issue charges");
      }
      for (const draft of drafts) await this.issueLocked(manager, actor, draft, period);
      if (drafts.length === 0) return { data: [] };
      const issued = await manager.find(CrossCharge, {
        where: { id: In(drafts.map((d) => d.id)) },
        relations: { provider: true, consumer: true, billingPeriod: true },
        order: { reference: 'ASC' },
      });
      return { data: issued.map((charge) => toCrossChargeDto(actor, charge)) };
    });
  }

  private async issueLocked(
    manager: EntityManager,
    actor: Actor,
    charge: CrossCharge,
    period: BillingPeriodRecord,
  ): Promise<void> {
    const status = crossChargeLifecycle.next(charge.status, 'issue');
    assertPeriodAllows(period.status, 'issue_charges');
    await assertTotalsAreItsLines(manager, charge);
    const issuedAt = new Date();
    await manager.update(CrossCharge, { id: charge.id }, { status, issuedAt });
    const gross = BigInt(charge.grossMinor);
    let journalEntryId: string | null = null;
    // A charge that nets to nothing moves no money: there is nothing to post (a posting is never zero).
    if (gross !== 0n) {
      journalEntryId = await this.ledger.post(manager, {
        consortiumId: charge.consortiumId,
        billingPeriodId: charge.billingPeriodId,
        kind: 'charge',
        description: `Cross-charge ${charge.reference}`,
        sourceType: CHARGE_SOURCE,
        sourceId: charge.id,
        actorLabel: actor.label,
        postings: [
          {
            organisationId: charge.providerOrganisationId,
            accountKind: 'receivable',
            counterpartyOrganisationId: charge.consumerOrganisationId,
            amountMinor: gross,
            currency: charge.currency.trim(),
          },
          {
            organisationId: charge.consumerOrganisationId,
            accountKind: 'payable',
            counterpartyOrganisationId: charge.providerOrganisationId,
            amountMinor: -gross,
            currency: charge.currency.trim(),
          },
        ],
      });
    }
    await this.audit.record(manager, actor, {
      action: 'cross_charge.issued',
      entityType: 'cross_charge',
      entityId: charge.id,
      consortiumId: charge.consortiumId,
      changes: { status: { from: charge.status, to: status }, grossMinor: charge.grossMinor, journalEntryId },
    });
    await this.notifications.notify(manager, {
      organisationId: charge.consumerOrganisationId,
      consortiumId: charge.consortiumId,
      kind: 'cross_charge.issued',
      title: `Cross-charge ${charge.reference} issued`,
      body:
        `A cross-charge of ${this.formatted(charge.grossMinor, charge.currency)} for ` +
        `${billingPeriodLabel(billingPeriodFromKey(period.key))} is ready for your review.`,
      entityType: 'cross_charge',
      entityId: charge.id,
      dedupeKey: `cross_charge.issued:${charge.id}`,
    });
    charge.status = status;
  }

  /** The consumer approves an issued charge with no dispute left unresolved. */
  async approve(actor: Actor, id: string): Promise<CrossChargeDetailDto> {
    return this.dataSource.transaction(async (manager) => {
      const { charge } = await lockChargeForChange(manager, actor, id, {
        unlessChargeRunIs: 'approve the charge',
      });
      assertSide(actor, charge, 'consumer', 'approve it');
      const unresolved = await manager.countBy(Dispute, {
        crossChargeId: charge.id,
        status: In([...UNRESOLVED_DISPUTE_STATUSES]),
      });
      if (unresolved > 0) {
        throw conflict('Resolve every dispute on the charge before approving it', 'unresolved-dispute');
      }
      const status = crossChargeLifecycle.next(charge.status, 'approve');
      await manager.update(CrossCharge, { id: charge.id }, { status, approvedAt: new Date() });
      await this.comments.append(manager, actor, charge, 'Approved the cross-charge.');
      await this.audit.record(manager, actor, {
        action: 'cross_charge.approved',
        entityType: 'cross_charge',
        entityId: charge.id,
        consortiumId: charge.consortiumId,
        changes: { status: { from: charge.status, to: status } },
      });
      await this.notifications.notify(manager, {
        organisationId: charge.providerOrganisationId,
        consortiumId: charge.consortiumId,
        kind: 'cross_charge.approved',
        title: `Cross-charge ${charge.reference} approved`,
        body: `The consumer approved ${charge.reference} (${this.formatted(charge.grossMinor, charge.currency)}).`,
        entityType: 'cross_charge',
        entityId: charge.id,
      });
      return this.detail(manager, actor, id);
    });
  }

  /** The consumer disputes one line with a reason: the dispute opens and the charge is disputed until resolved. */
  async dispute(actor: Actor, id: string, lineId: string, dto: DisputeReasonDto): Promise<DisputeDto> {
    return this.dataSource.transaction(async (manager) => {
      const { charge, period } = await lockChargeForChange(manager, actor, id);
      assertSide(actor, charge, 'consumer', 'dispute it');
      const line = await manager.findOneBy(CrossChargeLine, { id: lineId, crossChargeId: charge.id });
      if (!line) throw notFound('Charge line');
      if (period.status === 'closed' || period.status === 'settled') {
        throw conflict(
          `${billingPeriodLabel(billingPeriodFromKey(period.key))} is ${period.status}: ` +
            'its charges can no longer be disputed',
          'period-not-open',
        );
      }
      const status = crossChargeLifecycle.next(charge.status, 'dispute');
      const open = await manager.countBy(Dispute, {
        crossChargeLineId: line.id,
        status: In([...UNRESOLVED_DISPUTE_STATUSES]),
      });
      if (open > 0)
        throw conflict('That line already has a dispute awaiting a decision', 'line-already-disputed');
      const dispute = await manager.save(
        manager.create(Dispute, {
          crossChargeId: charge.id,
          crossChargeLineId: line.id,
          status: 'open',
          reason: dto.reason,
          resolution: null,
          raisedByUserId: actor.kind === 'user' ? actor.id : null,
          resolvedAt: null,
        }),
      );
      if (status !== charge.status) await manager.update(CrossCharge, { id: charge.id }, { status });
      await this.comments.append(
        manager,
        actor,
        charge,
        `Disputed "${line.description}": ${dto.reason}`,
        dispute.id,
      );
      await this.audit.record(manager, actor, {
        action: 'dispute.opened',
        entityType: 'dispute',
        entityId: dispute.id,
        consortiumId: charge.consortiumId,
        changes: {
          crossChargeId: charge.id,
          lineId: line.id,
          reason: dto.reason,
          chargeStatus: { from: charge.status, to: status },
        },
      });
      await this.notifications.notify(manager, {
        organisationId: charge.providerOrganisationId,
        consortiumId: charge.consortiumId,
        kind: 'cross_charge.disputed',
        title: `A line of ${charge.reference} is disputed`,
        body: `"${line.description}": ${dto.reason}`,
        entityType: 'cross_charge',
        entityId: charge.id,
      });
      return toDisputeDto(dispute);
    });
  }

  private formatted(amountMinor: string, currency: string): string {
    return formatMoney({ amountMinor: BigInt(amountMinor), currency: currency.trim() as Currency });
  }
}

/**
 * What is posted must be what the lines say: a draft's totals move with its lines in the run that writes them, and
 * this checks it once more before the charge is fixed for good.
 */
async function assertTotalsAreItsLines(manager: EntityManager, charge: CrossCharge): Promise<void> {
  const [sums]: { net: string; vat: string }[] = await manager.query(
    `SELECT coalesce(sum(net_minor), 0)::text AS net, coalesce(sum(vat_minor), 0)::text AS vat
       FROM cross_charge_lines WHERE cross_charge_id = $1`,
    [charge.id],
  );
  if (BigInt(sums.net) !== BigInt(charge.netMinor) || BigInt(sums.vat) !== BigInt(charge.vatMinor)) {
    throw conflict(
      `The totals of ${charge.reference} disagree with its lines: run charges for the period again before issuing it`,
      'charge-totals-disagree',
    );
  }
}
