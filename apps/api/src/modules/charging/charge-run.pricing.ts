import {
  assertValidPricePlan,
  type BillingPeriod,
  chargeLineToJson,
  computeChargeLines,
  decimal,
  DomainError,
  type DraftLine,
  formatDecimal,
  type LineFigures,
  multiplyDecimals,
  periodContains,
  type PricePlan,
  pricePlanMetrics,
  rateToDecimalString,
  type VatTreatment,
} from '@consortium/domain';
import type { ChargedSubscription } from './charge-run.subscriptions';

/** A line as priced now, with what the stored line needs beyond its figures. */
export interface PricedLine extends LineFigures {
  unitRate: string | null;
  vatTreatment: VatTreatment;
  detail: Record<string, unknown>;
}

export type PricedDraftLine = DraftLine<PricedLine>;

/** A subscription the run could not charge, and why in words. */
export interface SetAside {
  subscriptionId: string;
  reason: string;
}

/** A chunk of subscriptions as priced: what each owes, or why it could not be priced. */
export interface PricedChunk {
  subscriptions: ChargedSubscription[];
  desired: Map<string, PricedLine[]>;
  setAside: SetAside[];
}

/** Why a subscription could not be charged, in words: a domain refusal says it; anything else is not shown raw. */
export function reasonInWords(error: unknown): string {
  if (error instanceof DomainError) return error.message;
  return 'Its charge could not be worked out from its price plan; the operators have the details in the logs.';
}

/**
 * Prices subscriptions for one period in the consortium's currency. A price version's plan is checked once per
 * run, not once per subscription on it (versions are fixed once published, and the run reads one snapshot).
 */
export class PeriodPricing {
  private readonly plans = new Map<string, PricePlan>();

  constructor(
    private readonly period: BillingPeriod,
    private readonly currency: string,
  ) {}

  /** Prices each subscription; one that cannot be priced is set aside with its reason, never stopping the rest. */
  priceChunk(subscriptions: ChargedSubscription[]): PricedChunk {
    const chunk: PricedChunk = { subscriptions, desired: new Map(), setAside: [] };
    for (const subscription of subscriptions) {
      try {
        chunk.desired.set(subscription.id, this.desiredLines(subscription));
      } catch (error) {
        chunk.setAside.push({ subscriptionId: subscription.id, reason: reasonInWords(error) });
      }
    }
    return chunk;
  }

  /** Everything the subscription owes for the period, as line figures the reconciliation can count. */
  private desiredLines(subscription: ChargedSubscription): PricedLine[] {
    const plan = this.planOf(subscription);
    const metrics = pricePlanMetrics(plan);
    const usage: Record<string, string> = {};
    for (const [metric, total] of subscription.usage)
      if (metrics.includes(metric)) usage[metric] = total.total;
    const lines = computeChargeLines({
      plan,
      period: this.period,
      quantity: subscription.quantity,
      quantityChanges: subscription.quantityChanges,
      usage,
      subscriptionStartDate: subscription.startDate,
      subscriptionEndDate: subscription.endDate,
      // The one-off fee belongs to the period the subscription started in, and only to it.
      setupFeeDue: periodContains(this.period, subscription.startDate),
      vatTreatment: subscription.vatTreatment,
    });
    return lines.map((line) => {
      if (line.amount.currency !== this.currency) {
        throw new DomainError(
          'invalid',
          'currency-mismatch',
          `The price is in ${line.amount.currency} but the consortium charges in ${this.currency}`,
        );
      }
      const reported = line.usage ? subscription.usage.get(line.usage.metric) : undefined;
      const coverage = line.coverage?.countsDays ? line.coverage : undefined;
      const detail: Record<string, unknown> = { ...chargeLineToJson(line) };
      if (reported) detail.usageEvents = reported.events;
      return {
        key: line.key,
        kind: line.kind,
        description: line.description,
        quantity: line.quantity,
        unitRate: rateToDecimalString(line.unitRate),
        netMinor: line.amount.amountMinor,
        vatMinor: line.vat.amountMinor,
        vatTreatment: line.vatTreatment,
        serviceDays: coverage ? coverage.days : null,
        // A flat fee does not depend on the quantity: it charges days only.
        unitDays:
          coverage && plan.model !== 'flat_fee'
            ? multiplyDecimals(decimal(BigInt(coverage.days)), coverage.quantity)
            : null,
        usageMetric: line.usage ? line.usage.metric : null,
        usageQuantity: line.usage ? line.usage.used : null,
        usageEvents: line.usage ? (reported?.events ?? 0) : null,
        detail,
      };
    });
  }

  private planOf(subscription: ChargedSubscription): PricePlan {
    let plan = this.plans.get(subscription.priceVersionId);
    if (!plan) {
      plan = assertValidPricePlan(subscription.plan);
      this.plans.set(subscription.priceVersionId, plan);
    }
    return plan;
  }
}

/** The stored detail: how the line was priced and, on a difference, which charges it corrects. */
export function lineDetail(line: PricedDraftLine): Record<string, unknown> {
  if (line.correcting.length === 0 && line.desired) return line.desired.detail;
  return {
    ...(line.desired ? { pricedNow: line.desired.detail } : {}),
    correcting: line.correcting,
    difference: {
      net: line.netMinor.toString(),
      vat: line.vatMinor.toString(),
      quantity: formatDecimal(line.quantity),
      ...(line.serviceDays !== null ? { serviceDays: line.serviceDays } : {}),
      ...(line.usageEvents !== null ? { usageEvents: line.usageEvents } : {}),
      ...(line.usageQuantity !== null ? { usageQuantity: formatDecimal(line.usageQuantity) } : {}),
    },
  };
}
