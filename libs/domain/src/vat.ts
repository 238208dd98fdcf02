import { type Decimal, formatDecimal, parseDecimal } from './decimal';
import { DomainError } from './domain-error';
import type { Money } from './money';
import { powerOfTen, roundHalfEven } from './rounding';

/**
 * How VAT applies to a service. Supplies between councils under shared-service arrangements are usually outside
 * the scope of VAT; a service sold to, say, a voluntary organisation may be standard-rated; some (training,
 * certain health services) are exempt.
 */
export const VAT_TREATMENTS = ['outside_scope', 'standard', 'exempt'] as const;
export type VatTreatment = (typeof VAT_TREATMENTS)[number];

export const VAT_TREATMENT_LABELS: Readonly<Record<VatTreatment, string>> = {
  outside_scope: 'Outside the scope of VAT',
  standard: 'Standard rate (20%)',
  exempt: 'Exempt',
};

/** The UK standard rate. One constant, so a future change of rate is a one-line, dated change. */
export const STANDARD_VAT_RATE: Decimal = parseDecimal('0.2');

const NO_VAT: Decimal = { coefficient: 0n, scale: 0 };

export function isVatTreatment(value: unknown): value is VatTreatment {
  return typeof value === 'string' && (VAT_TREATMENTS as readonly string[]).includes(value);
}

export function vatRateFor(treatment: VatTreatment): Decimal {
  if (!isVatTreatment(treatment)) {
    throw new DomainError('invalid', 'unknown-vat-treatment', `Unknown VAT treatment ${String(treatment)}`);
  }
  return treatment === 'standard' ? STANDARD_VAT_RATE : NO_VAT;
}

/** "20%" or "0%", for statements. */
export function formatVatRate(treatment: VatTreatment): string {
  const rate = vatRateFor(treatment);
  return `${formatDecimal({ coefficient: rate.coefficient * 100n, scale: rate.scale })}%`;
}

/** VAT on a line's net amount, rounded half to even to whole minor units. */
export function vatOnNet(net: Money, treatment: VatTreatment): Money {
  const rate = vatRateFor(treatment);
  return {
    amountMinor: roundHalfEven(net.amountMinor * rate.coefficient, powerOfTen(rate.scale)),
    currency: net.currency,
  };
}
