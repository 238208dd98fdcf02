import type { components } from '../api/schema';

/**
 * A price plan in words and money, as a CIO reads it before subscribing: "£4,560.00 per quarter", each tier's
 * units and rate, the allowance, the set-up fee. Plain TypeScript, unit-tested without a browser.
 */
type Schemas = components['schemas'];
export type PricePlan =
  | Schemas['FlatFeePricePlanDto']
  | Schemas['PerUnitPricePlanDto']
  | Schemas['TieredPricePlanDto']
  | Schemas['MeteredPricePlanDto'];
export type BillingCycle = Schemas['ConsortiumDto']['billingCycle'];

const PERIOD: Record<BillingCycle, string> = { monthly: 'month', quarterly: 'quarter' };

const groupThousands = (digits: string) => digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/**
 * "£1,250.00" from the API's decimal pounds ("1250.00", "0.0125"). Always at least pence; a rate finer than a
 * penny keeps its extra digits, since the API keeps it exact and rounding here would misstate the price.
 */
export function formatPounds(decimal: string): string {
  const match = /^(-)?(\d+)(?:\.(\d+))?$/.exec(decimal.trim());
  if (!match) return decimal;
  const fraction = (match[3] ?? '').replace(/0+$/, '').padEnd(2, '0');
  return `${match[1] ? '−' : ''}£${groupThousands(match[2].replace(/^0+(?=\d)/, ''))}.${fraction}`;
}

/** "6,000" for an allowance or quantity given as a decimal string. */
export function formatQuantity(decimal: string | number): string {
  const [whole, fraction] = String(decimal).split('.');
  const trimmed = fraction?.replace(/0+$/, '');
  return trimmed ? `${groupThousands(whole)}.${trimmed}` : groupThousands(whole);
}

export interface PricePlanText {
  /** One line for a listing: "£4,560.00 per quarter", "From £360.00 per server per quarter". */
  summary: string;
  /** The details: one sentence per tier, the allowance, the set-up fee. */
  details: string[];
}

function tierLines(plan: Schemas['TieredPricePlanDto'], unit: string, period: string): string[] {
  let above = 0;
  return plan.tiers.map((tier) => {
    const from = above + 1;
    const range =
      tier.upTo === null
        ? `${formatQuantity(from)} and above`
        : `${formatQuantity(from)}–${formatQuantity(tier.upTo)}`;
    above = tier.upTo ?? above;
    return `${range}: ${formatPounds(tier.unitPrice)} per ${unit} per ${period}`;
  });
}

/** The plan in words for a consortium that bills `cycle`ly. */
export function describePricePlan(plan: PricePlan, cycle: BillingCycle): PricePlanText {
  const period = PERIOD[cycle];
  const details: string[] = [];
  let summary: string;
  switch (plan.model) {
    case 'flat_fee':
      summary = `${formatPounds(plan.feePerPeriod)} per ${period}`;
      details.push(`The same fee each ${period}, whatever the quantity.`);
      break;
    case 'per_unit': {
      const unit = plan.unitName || 'unit';
      summary = `${formatPounds(plan.unitPrice)} per ${unit} per ${period}`;
      details.push(`Charged for each ${unit} you take, every ${period}.`);
      break;
    }
    case 'graduated':
    case 'volume': {
      const unit = plan.unitName || 'unit';
      const lowest = plan.tiers.reduce(
        (min, tier) => (Number(tier.unitPrice) < Number(min) ? tier.unitPrice : min),
        plan.tiers[0]?.unitPrice ?? '0',
      );
      summary = `From ${formatPounds(lowest)} per ${unit} per ${period}`;
      details.push(
        plan.model === 'graduated'
          ? 'Graduated: the units in each band are charged at that band’s rate.'
          : `Volume: every ${unit} is charged at the rate of the band your total reaches.`,
        ...tierLines(plan, unit, period),
      );
      break;
    }
    case 'metered': {
      const unit = plan.unitName || plan.metric;
      summary = `${formatPounds(plan.unitPrice)} per ${unit} used`;
      const included =
        plan.includedPerPeriod && Number(plan.includedPerPeriod) > 0 ? plan.includedPerPeriod : null;
      if (included) summary += ` beyond ${formatQuantity(included)} included each ${period}`;
      details.push(`Charged on the usage the provider reports (${plan.metric}), each ${period}.`);
      if (included)
        details.push(
          `The first ${formatQuantity(included)} ${unit} each ${period} are included at no charge.`,
        );
      break;
    }
  }
  if (plan.setupFee && Number(plan.setupFee) > 0) {
    details.push(`A one-off set-up fee of ${formatPounds(plan.setupFee)} when the subscription starts.`);
  } else {
    details.push('No set-up fee.');
  }
  return { summary, details };
}

/** Reads the loosely typed `plan` of a price version (the API documents it as one of the plan schemas). */
export function asPricePlan(plan: Record<string, unknown>): PricePlan {
  return plan as unknown as PricePlan;
}

/** "per quarter" for a consortium billing cycle. */
export function perPeriod(cycle: BillingCycle): string {
  return `per ${PERIOD[cycle]}`;
}
