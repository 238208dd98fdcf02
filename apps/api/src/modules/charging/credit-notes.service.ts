import type { Actor } from '@consortium/auth';
import { type Currency, DomainError, isVatTreatment, periodAllows, vatOnNet } from '@consortium/domain';
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { conflict } from '../../common/problem';
import { BillingPeriodRecord } from '../billing-periods/billing-period.entity';
import { LedgerService } from '../ledger/ledger.service';
import { CreditNote } from './credit-note.entity';
import { CrossChargeLine } from './cross-charge-line.entity';
import { CrossCharge } from './cross-charge.entity';
import { CHARGE_SOURCE } from './cross-charges.service';
import { Dispute } from './dispute.entity';

/** How much to credit: down to a corrected net amount, or a net amount off; neither credits the whole line. */
export type CreditAmount = { correctedNetMinor: bigint } | { creditNetMinor: bigint } | { wholeLine: true };

/**
 * Credit notes: corrections of a charge line, never edits. Each is posted to the ledger as a reversing entry
 * (provider receivable −gross, consumer payable +gross), referring to the charge's own entry.
 */
@Injectable()
export class CreditNotesService {
  constructor(private readonly ledger: LedgerService) {}

  /**
   * Raises a credit note for a disputed line, inside the caller's transaction (which holds the charge's lock).
   * The credit is measured against what is left of the line after earlier credit notes: its net, and its VAT down
   * to the VAT on the corrected net, so a whole-line credit returns the line's VAT exactly.
   */
  async creditLine(
    manager: EntityManager,
    actor: Actor,
    charge: CrossCharge,
    dispute: Dispute,
    amount: CreditAmount,
    reason: string,
  ): Promise<CreditNote> {
    const line = await manager.findOneByOrFail(CrossChargeLine, { id: dispute.crossChargeLineId });
    const [credited] = (await manager.query(
      `SELECT coalesce(sum(net_minor), 0)::text AS net, coalesce(sum(vat_minor), 0)::text AS vat
         FROM credit_notes WHERE cross_charge_line_id = $1`,
      [line.id],
    )) as { net: string; vat: string }[];
    const currency = charge.currency.trim() as Currency;
    const remainingNet = BigInt(line.netMinor) - BigInt(credited.net);
    const remainingVat = BigInt(line.vatMinor) - BigInt(credited.vat);
    if (remainingNet <= 0n) {
      throw conflict('Nothing is left of that line to credit', 'nothing-to-credit');
    }
    const corrected =
      'correctedNetMinor' in amount
        ? amount.correctedNetMinor
        : 'creditNetMinor' in amount
          ? remainingNet - amount.creditNetMinor
          : 0n;
    if (corrected < 0n || corrected >= remainingNet) {
      throw new DomainError(
        'invalid',
        'invalid-credit-amount',
        `The credit must be more than nothing and at most the line's remaining net amount of ${remainingNet} pence`,
        { remainingNetMinor: remainingNet.toString() },
      );
    }
    const treatment = isVatTreatment(line.vatTreatment) ? line.vatTreatment : 'outside_scope';
    const correctedVat =
      corrected === 0n ? 0n : vatOnNet({ amountMinor: corrected, currency }, treatment).amountMinor;
    const netMinor = remainingNet - corrected;
    const vatMinor = remainingVat - correctedVat > 0n ? remainingVat - correctedVat : 0n;
    const grossMinor = netMinor + vatMinor;

    const billingPeriodId = await this.postingPeriod(manager, charge);
    const id = randomUUID();
    const [{ count }] = (await manager.query(
      'SELECT count(*)::int AS count FROM credit_notes WHERE cross_charge_id = $1',
      [charge.id],
    )) as { count: number }[];
    const reference = `${charge.reference}-CN${String(count + 1).padStart(2, '0')}`;
    const chargeEntry = await this.ledger.findBySource(manager, CHARGE_SOURCE, charge.id, 'charge');
    const journalEntryId = await this.ledger.post(manager, {
      consortiumId: charge.consortiumId,
      billingPeriodId,
      kind: 'credit_note',
      description: `Credit note ${reference} against ${charge.reference}`,
      sourceType: 'credit_note',
      sourceId: id,
      reversesEntryId: chargeEntry?.id ?? null,
      actorLabel: actor.label,
      postings: [
        {
          organisationId: charge.providerOrganisationId,
          accountKind: 'receivable',
          counterpartyOrganisationId: charge.consumerOrganisationId,
          amountMinor: -grossMinor,
          currency,
        },
        {
          organisationId: charge.consumerOrganisationId,
          accountKind: 'payable',
          counterpartyOrganisationId: charge.providerOrganisationId,
          amountMinor: grossMinor,
          currency,
        },
      ],
    });
    return manager.save(
      manager.create(CreditNote, {
        id,
        crossChargeId: charge.id,
        crossChargeLineId: line.id,
        disputeId: dispute.id,
        billingPeriodId,
        reference,
        reason,
        currency,
        netMinor: netMinor.toString(),
        vatMinor: vatMinor.toString(),
        grossMinor: grossMinor.toString(),
        journalEntryId,
      }),
    );
  }

  /**
   * The charge's own period while it still takes postings; once it has closed, the consortium's earliest period
   * that does (a correction of a closed period is posted into the current one, never into the closed one).
   */
  private async postingPeriod(manager: EntityManager, charge: CrossCharge): Promise<string> {
    const own = await manager.findOneByOrFail(BillingPeriodRecord, { id: charge.billingPeriodId });
    if (periodAllows(own.status, 'issue_charges')) return own.id;
    const [next] = (await manager.query(
      `SELECT id FROM billing_periods
        WHERE consortium_id = $1 AND status IN ('open', 'closing') AND start_date > $2
        ORDER BY start_date LIMIT 1`,
      [charge.consortiumId, own.startDate],
    )) as { id: string }[];
    if (!next) {
      throw conflict(
        `The billing period ${own.key} is ${own.status} and no later period is open to take the credit`,
        'period-not-open',
      );
    }
    return next.id;
  }
}
