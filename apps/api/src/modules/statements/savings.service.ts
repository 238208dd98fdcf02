import type { Actor } from '@consortium/auth';
import {
  baselineForPeriod,
  type BillingCycle,
  type Currency,
  type MoneyJson,
  savingsPercentage,
} from '@consortium/domain';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { forbidden, notFound } from '../../common/problem';
import { administers } from '../consortia/consortium-access';
import { Consortium } from '../consortia/consortium.entity';
import type {
  ConsortiumSavingsDto,
  MemberSavingsDto,
  PeriodSavingsDto,
  SavingsFiguresDto,
  SavingsQuery,
  SubscriptionSavingsDto,
} from './dto/savings.dto';
import { findReadableMember } from './statement-access';
import { CHARGED_STATUSES } from './statements.service';

interface ChargedRow {
  subscription_id: string;
  consumer_id: string;
  consumer_name: string;
  service_id: string;
  service_title: string;
  provider_id: string;
  provider_name: string;
  baseline_annual: string;
  billing_period_id: string | null;
  period_key: string | null;
  cycle: BillingCycle | null;
  start_date: string | null;
  end_date: string | null;
  gross: string | null;
  credited: string | null;
}

interface Figures {
  baseline: bigint;
  charged: bigint;
}

/**
 * The savings report: for every subscription with an in-house baseline, the baseline's share of each period it was
 * charged for (the annual figure split 12 or 4 ways by the domain's largest-remainder allocation) against what was
 * charged for it (its lines' gross in issued charges, less credit notes against those lines).
 */
@Injectable()
export class SavingsService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async forMember(actor: Actor, query: SavingsQuery): Promise<MemberSavingsDto> {
    const { consortium, organisation } = await findReadableMember(
      this.dataSource.manager,
      actor,
      query.consortiumId,
      query.organisationId,
    );
    const [member] = await this.compute(consortium, organisation.id);
    return (
      member ?? {
        consortiumId: consortium.id,
        organisation: { id: organisation.id, name: organisation.name },
        subscriptions: [],
        byPeriod: [],
        toDate: this.figures({ baseline: 0n, charged: 0n }, consortium.currency),
      }
    );
  }

  async forConsortium(actor: Actor, consortiumId: string): Promise<ConsortiumSavingsDto> {
    const consortium = await this.dataSource.manager.findOneBy(Consortium, { id: consortiumId });
    if (!consortium || !(administers(actor, consortiumId) || actor.activeConsortia.includes(consortiumId))) {
      throw notFound('Consortium');
    }
    if (!administers(actor, consortiumId)) {
      throw forbidden("Only the consortium's administrators see every member's savings");
    }
    const members = await this.compute(consortium, null);
    const byPeriod = this.sumPeriods(
      members.flatMap((m) => m.byPeriod),
      consortium.currency,
    );
    return {
      consortiumId,
      members,
      byPeriod,
      toDate: this.figures(this.sum(members.map((m) => m.toDate)), consortium.currency),
    };
  }

  /** Each member's savings (one member's when `organisationId` is given), members by name. */
  private async compute(consortium: Consortium, organisationId: string | null): Promise<MemberSavingsDto[]> {
    const rows = (await this.dataSource.query(
      `WITH charged AS (
         SELECT l.subscription_id, l.billing_period_id, sum(l.net_minor + l.vat_minor) AS gross,
                sum(coalesce(cn.gross, 0)) AS credited
           FROM cross_charge_lines l
           JOIN cross_charges c ON c.id = l.cross_charge_id AND c.status = ANY($3::cross_charge_status[])
           LEFT JOIN (SELECT cross_charge_line_id, sum(gross_minor) AS gross FROM credit_notes
                       GROUP BY cross_charge_line_id) cn ON cn.cross_charge_line_id = l.id
          WHERE c.consortium_id = $1
          GROUP BY l.subscription_id, l.billing_period_id)
       SELECT s.id AS subscription_id, k.id AS consumer_id, k.name AS consumer_name, sv.id AS service_id,
              sv.title AS service_title, p.id AS provider_id, p.name AS provider_name,
              s.baseline_annual_cost_minor::text AS baseline_annual, ch.billing_period_id, bp.key AS period_key,
              bp.cycle, bp.start_date::text AS start_date, bp.end_date::text AS end_date,
              ch.gross::text AS gross, ch.credited::text AS credited
         FROM subscriptions s
         JOIN organisations k ON k.id = s.consumer_organisation_id
         JOIN organisations p ON p.id = s.provider_organisation_id
         JOIN services sv ON sv.id = s.service_id
         LEFT JOIN charged ch ON ch.subscription_id = s.id
         LEFT JOIN billing_periods bp ON bp.id = ch.billing_period_id
        WHERE s.consortium_id = $1 AND s.baseline_annual_cost_minor IS NOT NULL
          AND ($2::uuid IS NULL OR s.consumer_organisation_id = $2)
        ORDER BY k.name, sv.title, s.id, bp.start_date`,
      [consortium.id, organisationId, CHARGED_STATUSES],
    )) as ChargedRow[];

    const currency = consortium.currency;
    const members = new Map<string, MemberSavingsDto>();
    const subscriptions = new Map<string, SubscriptionSavingsDto & { totals: Figures[] }>();
    for (const row of rows) {
      let member = members.get(row.consumer_id);
      if (!member) {
        member = {
          consortiumId: consortium.id,
          organisation: { id: row.consumer_id, name: row.consumer_name },
          subscriptions: [],
          byPeriod: [],
          toDate: this.figures({ baseline: 0n, charged: 0n }, currency),
        };
        members.set(row.consumer_id, member);
      }
      let subscription = subscriptions.get(row.subscription_id);
      if (!subscription) {
        subscription = {
          subscriptionId: row.subscription_id,
          service: { id: row.service_id, name: row.service_title },
          provider: { id: row.provider_id, name: row.provider_name },
          baselineAnnual: this.money(BigInt(row.baseline_annual), currency),
          periods: [],
          toDate: this.figures({ baseline: 0n, charged: 0n }, currency),
          totals: [],
        };
        subscriptions.set(row.subscription_id, subscription);
        member.subscriptions.push(subscription);
      }
      if (row.billing_period_id && row.period_key && row.cycle && row.start_date && row.end_date) {
        const figures = {
          baseline: baselineForPeriod(BigInt(row.baseline_annual), {
            cycle: row.cycle,
            key: row.period_key,
            startDate: row.start_date,
            endDate: row.end_date,
          }),
          charged: BigInt(row.gross ?? '0') - BigInt(row.credited ?? '0'),
        };
        subscription.totals.push(figures);
        subscription.periods.push({
          billingPeriodId: row.billing_period_id,
          key: row.period_key,
          ...this.figures(figures, currency),
        });
      }
    }
    for (const member of members.values()) {
      for (const subscription of member.subscriptions as (SubscriptionSavingsDto & {
        totals?: Figures[];
      })[]) {
        subscription.toDate = this.figures(this.sumFigures(subscription.totals ?? []), currency);
        delete subscription.totals;
      }
      member.byPeriod = this.sumPeriods(
        member.subscriptions.flatMap((s) => s.periods),
        currency,
      );
      member.toDate = this.figures(this.sum(member.subscriptions.map((s) => s.toDate)), currency);
    }
    return [...members.values()];
  }

  private sumPeriods(periods: PeriodSavingsDto[], currency: string): PeriodSavingsDto[] {
    const byKey = new Map<string, { id: string; key: string; items: SavingsFiguresDto[] }>();
    for (const period of periods) {
      const entry = byKey.get(period.billingPeriodId) ?? {
        id: period.billingPeriodId,
        key: period.key,
        items: [],
      };
      entry.items.push(period);
      byKey.set(period.billingPeriodId, entry);
    }
    return [...byKey.values()]
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
      .map((entry) => ({
        billingPeriodId: entry.id,
        key: entry.key,
        ...this.figures(this.sum(entry.items), currency),
      }));
  }

  private sum(items: SavingsFiguresDto[]): Figures {
    return this.sumFigures(
      items.map((item) => ({
        baseline: BigInt(item.baseline.amountMinor),
        charged: BigInt(item.charged.amountMinor),
      })),
    );
  }

  private sumFigures(items: Figures[]): Figures {
    return items.reduce(
      (total, f) => ({ baseline: total.baseline + f.baseline, charged: total.charged + f.charged }),
      {
        baseline: 0n,
        charged: 0n,
      },
    );
  }

  private figures(f: Figures, currency: string): SavingsFiguresDto {
    return {
      baseline: this.money(f.baseline, currency),
      charged: this.money(f.charged, currency),
      savings: this.money(f.baseline - f.charged, currency),
      savingsPercentage: savingsPercentage(f.baseline, f.charged),
    };
  }

  private money(amountMinor: bigint, currency: string): MoneyJson {
    return { amountMinor: amountMinor.toString(), currency: currency.trim() as Currency };
  }
}
