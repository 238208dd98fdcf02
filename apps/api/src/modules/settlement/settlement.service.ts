import { type Actor } from '@consortium/auth';
import {
  assertPeriodAllows,
  billingPeriodFromKey,
  billingPeriodLabel,
  billingPeriodLifecycle,
  counted,
  DomainError,
  formatMoney,
  money,
  type NetPosition,
  planSettlement,
  UNRESOLVED_DISPUTE_STATUSES,
} from '@consortium/domain';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { forbidden, notFound } from '../../common/problem';
import { AuditService } from '../audit/audit.service';
import { BillingPeriodRecord } from '../billing-periods/billing-period.entity';
import { findVisiblePeriod } from '../billing-periods/billing-periods.service';
import { lockPeriodFor } from '../billing-periods/period-lock';
import { administers, canSeeConsortium } from '../consortia/consortium-access';
import { LedgerService } from '../ledger/ledger.service';
import { assertNoChargeRunInProgress } from '../charging/charge-run-guard';
import { NotificationsService } from '../notifications/notifications.service';
import { ReconciliationService } from '../reconciliation/reconciliation.service';
import { MemberPositionDto, SettlementDto, SettlementPaymentDto } from './dto/settlement.dto';

interface PositionRow {
  organisation_id: string;
  organisation_name: string;
  net_minor: string;
  currency: string;
}

interface PaymentRow {
  id: string;
  billing_period_id: string;
  payer_organisation_id: string;
  payer_name: string;
  payee_organisation_id: string;
  payee_name: string;
  amount_minor: string;
  currency: string;
  position: number;
  status: 'pending' | 'recorded';
  payment_reference: string | null;
  journal_entry_id: string | null;
  recorded_at: Date | null;
}

const PAYMENT_COLUMNS = `sp.id, sp.billing_period_id, sp.payer_organisation_id, payer.name AS payer_name,
  sp.payee_organisation_id, payee.name AS payee_name, sp.amount_minor::text AS amount_minor, sp.currency,
  sp.position, sp.status, sp.payment_reference, sp.journal_entry_id, sp.recorded_at
  FROM settlement_payments sp
  JOIN organisations payer ON payer.id = sp.payer_organisation_id
  JOIN organisations payee ON payee.id = sp.payee_organisation_id`;

/** Differences named in a refused close (the reconciliation has them all) and recorded by an override. */
const CLOSE_DIFFERENCES_SHOWN = 20;
const CLOSE_DIFFERENCES_RECORDED = 200;

/** Where to look and what to do about a period that cannot close: API addresses the admin UI follows. */
function closeLinks(periodId: string): Record<string, string> {
  return {
    reconciliation: `/api/v1/billing-periods/${periodId}/reconciliation`,
    chargeRuns: `/api/v1/billing-periods/${periodId}/charge-runs`,
    draftCharges: `/api/v1/cross-charges?billingPeriodId=${periodId}&status=draft`,
    disputes: `/api/v1/cross-charges?billingPeriodId=${periodId}&status=disputed`,
  };
}

/** Members whose people may record their own organisation's payments. */
const PAYER_ROLES = ['finance', 'org_admin'] as const;

const describe = (amountMinor: bigint, currency: string) =>
  formatMoney(money(amountMinor, currency as 'GBP'));

/**
 * Period close and settlement. Closing fixes each member's net position for the period (from account_balances)
 * and the payments that settle them (the domain's planSettlement); recording a payment posts it to the ledger,
 * and the last one settles the period. Every step holds the period row FOR UPDATE, so a close, the payments and
 * any posting into the period (which holds it FOR SHARE) happen one after another, never interleaved.
 */
@Injectable()
export class SettlementService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly ledger: LedgerService,
    private readonly notifications: NotificationsService,
    private readonly reconciliation: ReconciliationService,
  ) {}

  /**
   * A consortium administrator closes the period: every charge must be issued (none draft) and no dispute
   * unresolved, unless `overrideReason` says why to close anyway.
   */
  async close(actor: Actor, periodId: string, overrideReason?: string): Promise<SettlementDto> {
    return this.dataSource.transaction(async (manager) => {
      const period = await lockPeriodFor(manager, periodId, null, 'update');
      if (!canSeeConsortium(actor, period.consortiumId)) throw notFound('Billing period');
      if (!administers(actor, period.consortiumId)) {
        throw forbidden("Only the consortium's administrators may close a billing period");
      }
      const statusBefore = period.status;
      if (period.status === 'open') {
        period.status = billingPeriodLifecycle.next(period.status, 'begin_closing');
        await manager.update(BillingPeriodRecord, { id: period.id }, { status: period.status });
      }
      const closedStatus = billingPeriodLifecycle.next(period.status, 'close');

      // Never while a run recomputes the drafts, override or not: the run would fail half-way.
      await assertNoChargeRunInProgress(manager, period, 'close the period');
      const blockers = await this.closeBlockers(manager, period.id);
      const unbilled = await this.reconciliation.differences(manager, period.id);
      const blocked =
        blockers.draftCharges > 0 || blockers.unresolvedDisputes > 0 || unbilled.summary.differences > 0;
      if (blocked && !overrideReason) {
        const missing = [
          blockers.draftCharges > 0 ? `${counted(blockers.draftCharges, 'charge')} still draft` : '',
          blockers.unresolvedDisputes > 0
            ? `${counted(blockers.unresolvedDisputes, 'dispute')} unresolved`
            : '',
          unbilled.summary.differences > 0
            ? `${counted(unbilled.summary.differences, 'subscription measure')} not completely charged ` +
              `(${counted(unbilled.summary.unbilledDays, 'day')} in force and ` +
              `${counted(unbilled.summary.unbilledEvents, 'usage report')} not on any charge)`
            : '',
        ].filter(Boolean);
        throw new DomainError(
          'conflict',
          'period-not-ready-to-close',
          `${billingPeriodLabel(billingPeriodFromKey(period.key))} cannot close yet: ${missing.join('; ')}. ` +
            'Run charges, issue the drafts and resolve the disputes, or close with an overrideReason.',
          {
            ...blockers,
            unbilled: unbilled.summary,
            differences: unbilled.rows.slice(0, CLOSE_DIFFERENCES_SHOWN),
            links: closeLinks(period.id),
          },
        );
      }

      const positions = await this.currentPositions(manager, period);
      const currency = singleCurrency(positions, period);
      const plan = planSettlement(positions.map(toNetPosition));
      const names = new Map(positions.map((p) => [p.organisation_id, p.organisation_name]));

      await manager.query(
        `INSERT INTO member_positions (billing_period_id, organisation_id, net_minor, currency)
         SELECT $1, organisation_id, net_minor, $4 FROM unnest($2::uuid[], $3::bigint[]) AS p(organisation_id, net_minor)`,
        [period.id, positions.map((p) => p.organisation_id), positions.map((p) => p.net_minor), currency],
      );
      await manager.query(
        `INSERT INTO settlement_payments (billing_period_id, payer_organisation_id, payee_organisation_id, amount_minor,
                                          currency, position)
         SELECT $1, payer, payee, amount, $5, position
           FROM unnest($2::uuid[], $3::uuid[], $4::bigint[]) WITH ORDINALITY AS p(payer, payee, amount, position)`,
        [
          period.id,
          plan.payments.map((p) => p.from),
          plan.payments.map((p) => p.to),
          plan.payments.map((p) => p.amountMinor.toString()),
          currency,
        ],
      );

      const now = new Date();
      const settlesAtOnce = plan.payments.length === 0;
      const finalStatus = settlesAtOnce ? billingPeriodLifecycle.next(closedStatus, 'settle') : closedStatus;
      await manager.update(
        BillingPeriodRecord,
        { id: period.id },
        {
          status: closedStatus,
          closedAt: now,
          closeOverrideReason: blocked ? (overrideReason ?? null) : null,
        },
      );
      // One step at a time: the database allows each status only the lifecycle's single steps.
      if (settlesAtOnce) {
        await manager.update(BillingPeriodRecord, { id: period.id }, { status: finalStatus, settledAt: now });
      }
      await this.audit.record(manager, actor, {
        action: 'billing_period.closed',
        entityType: 'billing_period',
        entityId: period.id,
        consortiumId: period.consortiumId,
        changes: {
          status: { from: statusBefore, to: finalStatus },
          members: positions.length,
          payments: plan.payments.length,
          method: plan.method,
          ...(blocked
            ? {
                overrideReason,
                ...blockers,
                unbilled: unbilled.summary,
                leftUnbilled: unbilled.rows.slice(0, CLOSE_DIFFERENCES_RECORDED),
              }
            : {}),
        },
      });

      const label = billingPeriodLabel(billingPeriodFromKey(period.key));
      for (const position of positions) {
        const net = BigInt(position.net_minor);
        const theirs = plan.payments.filter(
          (p) => p.from === position.organisation_id || p.to === position.organisation_id,
        );
        const lines = theirs.map((p) =>
          p.from === position.organisation_id
            ? `Pay ${names.get(p.to)} ${describe(p.amountMinor, currency)}.`
            : `Receive ${describe(p.amountMinor, currency)} from ${names.get(p.from)}.`,
        );
        await this.notifications.notify(manager, {
          organisationId: position.organisation_id,
          consortiumId: period.consortiumId,
          kind: 'billing_period.closed',
          title: `${label} is closed`,
          body: [
            net > 0n
              ? `Your net position: you are owed ${describe(net, currency)}.`
              : net < 0n
                ? `Your net position: you owe ${describe(-net, currency)}.`
                : 'Your net position is nil: nothing to pay or receive.',
            ...lines,
          ].join(' '),
          entityType: 'billing_period',
          entityId: period.id,
          data: { netMinor: position.net_minor, currency },
          dedupeKey: `billing_period.closed:${period.id}:${position.organisation_id}`,
        });
      }
      return this.settlementOf(
        manager,
        await manager.findOneByOrFail(BillingPeriodRecord, { id: period.id }),
      );
    });
  }

  /** The period's positions and settlement plan: fixed once closed, provisional (computed now) before. */
  async settlement(actor: Actor, periodId: string): Promise<SettlementDto> {
    const period = await findVisiblePeriod(this.dataSource.manager, actor, periodId);
    return this.settlementOf(this.dataSource.manager, period);
  }

  /**
   * Records that the payer made a payment of the plan: posts it to the ledger (payer's payable +amount, payee's
   * receivable −amount) and, when it is the last, settles the period. Recording it again with the same reference
   * changes nothing; with another reference it is a conflict.
   */
  async recordPayment(
    actor: Actor,
    paymentId: string,
    paymentReference: string,
  ): Promise<SettlementPaymentDto> {
    return this.dataSource.transaction(async (manager) => {
      const [found] = (await manager.query(
        `SELECT sp.billing_period_id, sp.payer_organisation_id, bp.consortium_id
           FROM settlement_payments sp JOIN billing_periods bp ON bp.id = sp.billing_period_id WHERE sp.id = $1`,
        [paymentId],
      )) as { billing_period_id: string; payer_organisation_id: string; consortium_id: string }[];
      if (!found || !canSeeConsortium(actor, found.consortium_id)) throw notFound('Settlement payment');
      const entitled =
        administers(actor, found.consortium_id) ||
        // The payer's finance system records its own payments with a key (the guard has checked charges:write).
        (actor.organisationId === found.payer_organisation_id &&
          (actor.kind === 'api_key' || PAYER_ROLES.some((role) => actor.roles.includes(role))));
      if (!entitled) {
        throw forbidden("Only the payer's finance team or the consortium's administrators record a payment");
      }

      // One lock order everywhere: the period, then its payments.
      const period = await lockPeriodFor(manager, found.billing_period_id, null, 'update');
      const [payment] = (await manager.query(`SELECT ${PAYMENT_COLUMNS} WHERE sp.id = $1 FOR UPDATE OF sp`, [
        paymentId,
      ])) as PaymentRow[];
      if (payment.status === 'recorded') {
        if (payment.payment_reference === paymentReference) return toPaymentDto(payment);
        throw new DomainError(
          'conflict',
          'settlement-payment-already-recorded',
          `This payment was already recorded with reference ${payment.payment_reference}`,
        );
      }
      assertPeriodAllows(period.status, 'record_settlement');

      const amount = BigInt(payment.amount_minor);
      const currency = payment.currency.trim();
      const label = billingPeriodLabel(billingPeriodFromKey(period.key));
      const entryId = await this.ledger.post(manager, {
        consortiumId: period.consortiumId,
        billingPeriodId: period.id,
        kind: 'settlement',
        description: `Settlement of ${label}: ${payment.payer_name} paid ${payment.payee_name} (${paymentReference})`,
        sourceType: 'settlement_payment',
        sourceId: payment.id,
        actorLabel: actor.label,
        postings: [
          {
            organisationId: payment.payer_organisation_id,
            accountKind: 'payable',
            counterpartyOrganisationId: payment.payee_organisation_id,
            amountMinor: amount,
            currency,
          },
          {
            organisationId: payment.payee_organisation_id,
            accountKind: 'receivable',
            counterpartyOrganisationId: payment.payer_organisation_id,
            amountMinor: -amount,
            currency,
          },
        ],
      });
      const recordedAt = new Date();
      await manager.query(
        `UPDATE settlement_payments SET status = 'recorded', payment_reference = $2, journal_entry_id = $3,
                recorded_at = $4 WHERE id = $1`,
        [payment.id, paymentReference, entryId, recordedAt],
      );
      await this.audit.record(manager, actor, {
        action: 'settlement_payment.recorded',
        entityType: 'settlement_payment',
        entityId: payment.id,
        consortiumId: period.consortiumId,
        organisationId: payment.payer_organisation_id,
        changes: {
          status: { from: 'pending', to: 'recorded' },
          amountMinor: payment.amount_minor,
          paymentReference,
          journalEntryId: entryId,
        },
      });
      await this.notifications.notify(manager, {
        organisationId: payment.payee_organisation_id,
        consortiumId: period.consortiumId,
        kind: 'settlement_payment.recorded',
        title: `${payment.payer_name} paid ${describe(amount, currency)}`,
        body: `${payment.payer_name} recorded its settlement payment for ${label} (reference ${paymentReference}).`,
        entityType: 'settlement_payment',
        entityId: payment.id,
        dedupeKey: `settlement_payment.recorded:${payment.id}`,
      });

      const [{ pending }] = (await manager.query(
        `SELECT count(*)::int AS pending FROM settlement_payments WHERE billing_period_id = $1 AND status = 'pending'`,
        [period.id],
      )) as { pending: number }[];
      if (pending === 0) await this.settle(manager, actor, period, label);

      return toPaymentDto({
        ...payment,
        status: 'recorded',
        payment_reference: paymentReference,
        journal_entry_id: entryId,
        recorded_at: recordedAt,
      });
    });
  }

  private async settle(
    manager: EntityManager,
    actor: Actor,
    period: BillingPeriodRecord,
    label: string,
  ): Promise<void> {
    const status = billingPeriodLifecycle.next(period.status, 'settle');
    await manager.update(BillingPeriodRecord, { id: period.id }, { status, settledAt: new Date() });
    await this.audit.record(manager, actor, {
      action: 'billing_period.settled',
      entityType: 'billing_period',
      entityId: period.id,
      consortiumId: period.consortiumId,
      changes: { status: { from: period.status, to: status } },
    });
    const members = (await manager.query(
      'SELECT organisation_id FROM member_positions WHERE billing_period_id = $1 ORDER BY organisation_id',
      [period.id],
    )) as { organisation_id: string }[];
    for (const member of members) {
      await this.notifications.notify(manager, {
        organisationId: member.organisation_id,
        consortiumId: period.consortiumId,
        kind: 'billing_period.settled',
        title: `${label} is settled`,
        body: `Every settlement payment for ${label} has been recorded.`,
        entityType: 'billing_period',
        entityId: period.id,
        dedupeKey: `billing_period.settled:${period.id}:${member.organisation_id}`,
      });
    }
  }

  /** Draft charges and unresolved disputes of the period: what stops a close without an override. */
  private async closeBlockers(
    manager: EntityManager,
    periodId: string,
  ): Promise<{ draftCharges: number; unresolvedDisputes: number }> {
    const [row] = (await manager.query(
      `SELECT (SELECT count(*)::int FROM cross_charges WHERE billing_period_id = $1 AND status = 'draft') AS "draftCharges",
              (SELECT count(*)::int FROM disputes d JOIN cross_charges c ON c.id = d.cross_charge_id
                WHERE c.billing_period_id = $1 AND d.status = ANY($2::dispute_status[])) AS "unresolvedDisputes"`,
      [periodId, UNRESOLVED_DISPUTE_STATUSES],
    )) as { draftCharges: number; unresolvedDisputes: number }[];
    return row;
  }

  /**
   * Each member's net position for the period: the sum of its receivable and payable balances of that period only
   * (account_balances, no scan of postings), plus a zero for each current member without postings.
   */
  private async currentPositions(
    manager: EntityManager,
    period: BillingPeriodRecord,
  ): Promise<PositionRow[]> {
    return (await manager.query(
      `SELECT o.id AS organisation_id, o.name AS organisation_name,
              coalesce(sum(b.balance_minor), 0)::text AS net_minor, coalesce(a.currency, c.currency) AS currency
         FROM consortia c
         JOIN organisations o ON o.id IN (
                SELECT organisation_id FROM consortium_memberships
                 WHERE consortium_id = c.id AND status IN ('active', 'suspended')
                UNION
                SELECT organisation_id FROM ledger_accounts WHERE consortium_id = c.id)
         LEFT JOIN ledger_accounts a ON a.consortium_id = c.id AND a.organisation_id = o.id
         LEFT JOIN account_balances b ON b.account_id = a.id AND b.billing_period_id = $2
        WHERE c.id = $1
        GROUP BY o.id, o.name, coalesce(a.currency, c.currency)
        ORDER BY o.id`,
      [period.consortiumId, period.id],
    )) as PositionRow[];
  }

  private async settlementOf(manager: EntityManager, period: BillingPeriodRecord): Promise<SettlementDto> {
    const fixed = period.status === 'closed' || period.status === 'settled';
    const [consortium] = (await manager.query('SELECT currency FROM consortia WHERE id = $1', [
      period.consortiumId,
    ])) as { currency: string }[];
    let positions: PositionRow[];
    let payments: SettlementPaymentDto[];
    if (fixed) {
      positions = (await manager.query(
        `SELECT mp.organisation_id, o.name AS organisation_name, mp.net_minor::text AS net_minor, mp.currency
           FROM member_positions mp JOIN organisations o ON o.id = mp.organisation_id
          WHERE mp.billing_period_id = $1 ORDER BY o.name, mp.organisation_id`,
        [period.id],
      )) as PositionRow[];
      const rows = (await manager.query(
        `SELECT ${PAYMENT_COLUMNS} WHERE sp.billing_period_id = $1 ORDER BY sp.position`,
        [period.id],
      )) as PaymentRow[];
      payments = rows.map(toPaymentDto);
    } else {
      positions = (await this.currentPositions(manager, period)).sort((a, b) =>
        a.organisation_name.localeCompare(b.organisation_name),
      );
      const names = new Map(positions.map((p) => [p.organisation_id, p.organisation_name]));
      payments = planSettlement(positions.map(toNetPosition)).payments.map((p, index) => ({
        id: null,
        billingPeriodId: period.id,
        payerOrganisationId: p.from,
        payerName: names.get(p.from) ?? '',
        payeeOrganisationId: p.to,
        payeeName: names.get(p.to) ?? '',
        amountMinor: p.amountMinor.toString(),
        currency: consortium.currency.trim(),
        position: index + 1,
        status: 'pending',
        paymentReference: null,
        journalEntryId: null,
        recordedAt: null,
      }));
    }
    return {
      billingPeriodId: period.id,
      consortiumId: period.consortiumId,
      billingPeriodKey: period.key,
      periodStatus: period.status,
      status: !fixed ? 'provisional' : period.status === 'settled' ? 'settled' : 'awaiting_payments',
      method: planSettlement(positions.map(toNetPosition)).method,
      currency: consortium.currency.trim(),
      closeOverrideReason: period.closeOverrideReason,
      positions: positions.map((p): MemberPositionDto => ({
        organisationId: p.organisation_id,
        organisationName: p.organisation_name,
        netMinor: p.net_minor,
        currency: p.currency.trim(),
      })),
      payments,
    };
  }
}

function toNetPosition(row: PositionRow): NetPosition {
  return { memberId: row.organisation_id, amountMinor: BigInt(row.net_minor) };
}

/** Positions are netted in one currency; a period with postings in two would need a plan per currency. */
function singleCurrency(positions: PositionRow[], period: BillingPeriodRecord): string {
  const currencies = [...new Set(positions.map((p) => p.currency.trim()))];
  if (currencies.length > 1) {
    throw new DomainError(
      'conflict',
      'mixed-currency-period',
      `${billingPeriodLabel(billingPeriodFromKey(period.key))} has postings in ${currencies.join(' and ')}: ` +
        'it cannot be settled in one plan',
    );
  }
  return currencies[0] ?? 'GBP';
}

function toPaymentDto(row: PaymentRow): SettlementPaymentDto {
  return {
    id: row.id,
    billingPeriodId: row.billing_period_id,
    payerOrganisationId: row.payer_organisation_id,
    payerName: row.payer_name,
    payeeOrganisationId: row.payee_organisation_id,
    payeeName: row.payee_name,
    amountMinor: row.amount_minor,
    currency: row.currency.trim(),
    position: row.position,
    status: row.status,
    paymentReference: row.payment_reference,
    journalEntryId: row.journal_entry_id,
    recordedAt: row.recorded_at,
  };
}
