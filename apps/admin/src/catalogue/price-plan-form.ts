import type { PricePlan } from './price-plan-text';

/** The fields each price model takes (apps/api/src/modules/catalogue/dto/price-plan.dto.ts). */
const FIELDS: Record<PricePlan['model'], string[]> = {
  flat_fee: ['feePerPeriod'],
  per_unit: ['unitPrice', 'unitName'],
  graduated: ['tiers', 'unitName'],
  volume: ['tiers', 'unitName'],
  metered: ['metric', 'unitPrice', 'includedPerPeriod', 'unitName'],
};

const blank = (value: unknown) =>
  value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
const text = (value: unknown) => (typeof value === 'string' ? value.trim() : value);

/**
 * The price plan a form holds, as the API takes it: only the chosen model's fields (a form keeps the fields of a
 * model the person tried first), without blanks, and an empty last tier limit as `null` (no limit). The API's
 * domain validator then checks the rest and names each problem's field.
 */
export function pricePlanFromForm(form: Record<string, unknown>): Record<string, unknown> {
  const model = form.model as PricePlan['model'];
  const plan: Record<string, unknown> = { model };
  for (const field of [...(FIELDS[model] ?? []), 'setupFee']) {
    const value = form[field];
    if (field === 'tiers' && Array.isArray(value)) {
      plan.tiers = value.map((tier: { upTo?: unknown; unitPrice?: unknown }) => ({
        upTo: blank(tier.upTo) ? null : Number(tier.upTo),
        unitPrice: text(tier.unitPrice),
      }));
    } else if (!blank(value)) {
      plan[field] = text(value);
    }
  }
  return plan;
}
