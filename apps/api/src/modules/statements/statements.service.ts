import type { Actor } from '@consortium/auth';
import {
  billingPeriodFromKey,
  billingPeriodLabel,
  type Currency,
  formatMoney,
  type MoneyJson,
} from '@consortium/domain';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { notFound } from '../../common/problem';
import { BillingPeriodRecord } from '../billing-periods/billing-period.entity';
import type {
  AmountsDto,
  CounterpartySummaryDto,
  StatementChargeDto,
  StatementCreditNoteDto,
  StatementDto,
  StatementPartyDto,
  StatementQuery,
  StatementSettlementDto,
} from './dto/statement.dto';
import { findReadableMember } from './statement-access';

/** Charges that count: issued and posted to the ledger (drafts are not yet charges; void ones never were). */
export const CHARGED_STATUSES = ['issued', 'disputed', 'approved'];

interface ChargeRow {
  id: string;
  reference: string;
  status: string;
  provider_id: string;
  provider_name: string;
  consumer_id: string;
  consumer_name: string;
  currency: string;
  net_minor: string;
  vat_minor: string;
  gross_minor: string;
  issued_at: Date | null;
}

interface LineRow {
  id: string;
  cross_charge_id: string;
  subscription_id: string;
  service_title: string;
  description: string;
  quantity: string;
  unit_rate: string | null;
  vat_treatment: string;
  net_minor: string;
  vat_minor: string;
}

interface CreditNoteRow {
  id: string;
  reference: string;
  charge_reference: string;
  provider_id: string;
  provider_name: string;
  consumer_id: string;
  consumer_name: string;
  reason: string;
  currency: string;
  net_minor: string;
  vat_minor: string;
  gross_minor: string;
  created_at: Date;
}

interface Sums {
  net: bigint;
  vat: bigint;
  gross: bigint;
}
const zero = (): Sums => ({ net: 0n, vat: 0n, gross: 0n });
const add = (sums: Sums, net: string, vat: string, gross: string) => {
  sums.net += BigInt(net);
  sums.vat += BigInt(vat);
  sums.gross += BigInt(gross);
};

/**
 * A member's statement for a billing period: the charges it raised and received (with their lines), the credit
 * notes posted in the period, the net position with each counterparty and overall, and the settlement. The net
 * position follows the ledger: what it charged less credits, minus what it was charged less credits.
 */
@Injectable()
export class StatementsService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async statement(actor: Actor, query: StatementQuery): Promise<StatementDto> {
    const manager = this.dataSource.manager;
    const { consortium, organisation } = await findReadableMember(
      manager,
      actor,
      query.consortiumId,
      query.organisationId,
    );
    const period = await manager.findOneBy(BillingPeriodRecord, {
      id: query.billingPeriodId,
      consortiumId: consortium.id,
    });
    if (!period) throw notFound('Billing period');
    const currency = consortium.currency.trim() as Currency;
    const me = organisation.id;

    const charges = (await manager.query(
      `SELECT c.id, c.reference, c.status, c.currency, c.net_minor::text, c.vat_minor::text, c.gross_minor::text,
              c.issued_at, p.id AS provider_id, p.name AS provider_name, k.id AS consumer_id, k.name AS consumer_name
         FROM cross_charges c
         JOIN organisations p ON p.id = c.provider_organisation_id
         JOIN organisations k ON k.id = c.consumer_organisation_id
        WHERE c.billing_period_id = $1 AND (c.provider_organisation_id = $2 OR c.consumer_organisation_id = $2)
          AND c.status = ANY($3::cross_charge_status[])
        ORDER BY c.reference`,
      [period.id, me, CHARGED_STATUSES],
    )) as ChargeRow[];
    const lines = (await manager.query(
      `SELECT l.id, l.cross_charge_id, l.subscription_id, s.title AS service_title, l.description, l.quantity,
              l.unit_rate, l.vat_treatment, l.net_minor::text, l.vat_minor::text
         FROM cross_charge_lines l JOIN services s ON s.id = l.service_id
        WHERE l.cross_charge_id = ANY($1::uuid[])
        ORDER BY l.line_key, l.id`,
      [charges.map((c) => c.id)],
    )) as LineRow[];
    // Credit notes posted in this period (a correction of a closed period is posted in a later, open one).
    const creditNotes = (await manager.query(
      `SELECT n.id, n.reference, c.reference AS charge_reference, n.reason, n.currency, n.net_minor::text,
              n.vat_minor::text, n.gross_minor::text, n.created_at,
              p.id AS provider_id, p.name AS provider_name, k.id AS consumer_id, k.name AS consumer_name
         FROM credit_notes n
         JOIN cross_charges c ON c.id = n.cross_charge_id
         JOIN organisations p ON p.id = c.provider_organisation_id
         JOIN organisations k ON k.id = c.consumer_organisation_id
        WHERE n.billing_period_id = $1 AND (c.provider_organisation_id = $2 OR c.consumer_organisation_id = $2)
        ORDER BY n.created_at, n.reference`,
      [period.id, me],
    )) as CreditNoteRow[];

    const money = (amount: bigint): MoneyJson => ({ amountMinor: amount.toString(), currency });
    const amounts = (sums: Sums): AmountsDto => ({
      net: money(sums.net),
      vat: money(sums.vat),
      gross: money(sums.gross),
    });
    const counterpartyOf = (row: {
      provider_id: string;
      provider_name: string;
      consumer_id: string;
      consumer_name: string;
    }) =>
      row.provider_id === me
        ? { direction: 'from_us' as const, party: { id: row.consumer_id, name: row.consumer_name } }
        : { direction: 'to_us' as const, party: { id: row.provider_id, name: row.provider_name } };

    interface Tally {
      party: StatementPartyDto;
      chargesToUs: Sums;
      chargesFromUs: Sums;
      creditNotesToUs: Sums;
      creditNotesFromUs: Sums;
    }
    const tallies = new Map<string, Tally>();
    const tallyFor = (party: StatementPartyDto) => {
      let tally = tallies.get(party.id);
      if (!tally) {
        tally = {
          party,
          chargesToUs: zero(),
          chargesFromUs: zero(),
          creditNotesToUs: zero(),
          creditNotesFromUs: zero(),
        };
        tallies.set(party.id, tally);
      }
      return tally;
    };
    const totals = {
      chargesToUs: zero(),
      chargesFromUs: zero(),
      creditNotesToUs: zero(),
      creditNotesFromUs: zero(),
    };

    const chargeDtos: StatementChargeDto[] = charges.map((charge) => {
      const { direction, party } = counterpartyOf(charge);
      const key = direction === 'to_us' ? 'chargesToUs' : 'chargesFromUs';
      add(tallyFor(party)[key], charge.net_minor, charge.vat_minor, charge.gross_minor);
      add(totals[key], charge.net_minor, charge.vat_minor, charge.gross_minor);
      return {
        id: charge.id,
        reference: charge.reference,
        direction,
        counterparty: party,
        status: charge.status,
        issuedAt: charge.issued_at,
        net: money(BigInt(charge.net_minor)),
        vat: money(BigInt(charge.vat_minor)),
        gross: money(BigInt(charge.gross_minor)),
        lines: lines
          .filter((line) => line.cross_charge_id === charge.id)
          .map((line) => ({
            id: line.id,
            subscriptionId: line.subscription_id,
            serviceTitle: line.service_title,
            description: line.description,
            quantity: line.quantity,
            unitRate: line.unit_rate,
            vatTreatment: line.vat_treatment,
            net: money(BigInt(line.net_minor)),
            vat: money(BigInt(line.vat_minor)),
            gross: money(BigInt(line.net_minor) + BigInt(line.vat_minor)),
          })),
      };
    });
    const creditNoteDtos: StatementCreditNoteDto[] = creditNotes.map((note) => {
      const { direction, party } = counterpartyOf(note);
      const key = direction === 'to_us' ? 'creditNotesToUs' : 'creditNotesFromUs';
      add(tallyFor(party)[key], note.net_minor, note.vat_minor, note.gross_minor);
      add(totals[key], note.net_minor, note.vat_minor, note.gross_minor);
      return {
        id: note.id,
        reference: note.reference,
        chargeReference: note.charge_reference,
        direction,
        counterparty: party,
        reason: note.reason,
        net: money(BigInt(note.net_minor)),
        vat: money(BigInt(note.vat_minor)),
        gross: money(BigInt(note.gross_minor)),
        createdAt: note.created_at,
      };
    });

    const position = (t: Omit<Tally, 'party'>) =>
      t.chargesFromUs.gross - t.creditNotesFromUs.gross - (t.chargesToUs.gross - t.creditNotesToUs.gross);
    const wording = (amount: bigint, them: string) =>
      amount > 0n
        ? `${them} owes ${organisation.name} ${formatMoney({ amountMinor: amount, currency })}`
        : amount < 0n
          ? `${organisation.name} owes ${them} ${formatMoney({ amountMinor: -amount, currency })}`
          : 'Nothing is owed either way';
    const counterparties: CounterpartySummaryDto[] = [...tallies.values()]
      .sort((a, b) => a.party.name.localeCompare(b.party.name))
      .map((tally) => ({
        counterparty: tally.party,
        chargesToUs: amounts(tally.chargesToUs),
        chargesFromUs: amounts(tally.chargesFromUs),
        creditNotesToUs: amounts(tally.creditNotesToUs),
        creditNotesFromUs: amounts(tally.creditNotesFromUs),
        netPosition: money(position(tally)),
        summary: wording(position(tally), tally.party.name),
      }));
    const overall = position(totals);

    return {
      consortium: { id: consortium.id, name: consortium.name },
      organisation: { id: organisation.id, name: organisation.name },
      billingPeriod: {
        id: period.id,
        key: period.key,
        label: billingPeriodLabel(billingPeriodFromKey(period.key)),
        startDate: period.startDate,
        endDate: period.endDate,
        status: period.status,
      },
      counterparties,
      charges: chargeDtos,
      creditNotes: creditNoteDtos,
      totals: {
        chargesToUs: amounts(totals.chargesToUs),
        chargesFromUs: amounts(totals.chargesFromUs),
        creditNotesToUs: amounts(totals.creditNotesToUs),
        creditNotesFromUs: amounts(totals.creditNotesFromUs),
        netPosition: money(overall),
        summary:
          overall > 0n
            ? `${organisation.name} is owed ${formatMoney({ amountMinor: overall, currency })} for the period`
            : overall < 0n
              ? `${organisation.name} owes ${formatMoney({ amountMinor: -overall, currency })} for the period`
              : `${organisation.name} neither owes nor is owed anything for the period`,
      },
      settlement: await this.settlement(period.id, me, currency),
    };
  }

  private async settlement(
    periodId: string,
    me: string,
    currency: Currency,
  ): Promise<StatementSettlementDto> {
    const manager = this.dataSource.manager;
    const [position] = (await manager.query(
      'SELECT net_minor::text AS net FROM member_positions WHERE billing_period_id = $1 AND organisation_id = $2',
      [periodId, me],
    )) as { net: string }[];
    const payments = (await manager.query(
      `SELECT sp.id, sp.amount_minor::text AS amount, sp.status, sp.payment_reference, sp.recorded_at,
              a.id AS payer_id, a.name AS payer_name, b.id AS payee_id, b.name AS payee_name
         FROM settlement_payments sp
         JOIN organisations a ON a.id = sp.payer_organisation_id
         JOIN organisations b ON b.id = sp.payee_organisation_id
        WHERE sp.billing_period_id = $1 AND (sp.payer_organisation_id = $2 OR sp.payee_organisation_id = $2)
        ORDER BY sp.position`,
      [periodId, me],
    )) as {
      id: string;
      amount: string;
      status: string;
      payment_reference: string | null;
      recorded_at: Date | null;
      payer_id: string;
      payer_name: string;
      payee_id: string;
      payee_name: string;
    }[];
    return {
      position: position ? { amountMinor: position.net, currency } : null,
      payments: payments.map((p) => ({
        id: p.id,
        payer: { id: p.payer_id, name: p.payer_name },
        payee: { id: p.payee_id, name: p.payee_name },
        amount: { amountMinor: p.amount, currency },
        status: p.status,
        paymentReference: p.payment_reference,
        recordedAt: p.recorded_at,
      })),
    };
  }
}
