import { DomainError } from './domain-error';
import { assertValidPricePlan, type PricePlan, pricePlanMetrics, validatePricePlan } from './price-plan';

const tiered = (model: 'graduated' | 'volume', tiers: unknown) => ({ model, currency: 'GBP', tiers });

/** The paths and codes of everything wrong with `input`. */
function problemsOf(input: unknown): string[] {
  const result = validatePricePlan(input);
  return result.valid ? [] : result.problems.map((problem) => `${problem.path} ${problem.code}`);
}

describe('price plan validation', () => {
  it.each<[string, PricePlan]>([
    ['a flat fee', { model: 'flat_fee', currency: 'GBP', feePerPeriod: '1500.00', setupFee: '250' }],
    ['a free flat fee', { model: 'flat_fee', currency: 'GBP', feePerPeriod: '0' }],
    ['a per-unit price', { model: 'per_unit', currency: 'GBP', unitPrice: '4.50', unitName: 'device' }],
    [
      'graduated tiers',
      {
        model: 'graduated',
        currency: 'GBP',
        tiers: [
          { upTo: 100, unitPrice: '5' },
          { upTo: 500, unitPrice: '4' },
          { upTo: null, unitPrice: '3' },
        ],
      },
    ],
    [
      'a single volume tier',
      { model: 'volume', currency: 'GBP', tiers: [{ upTo: null, unitPrice: '2.75' }] },
    ],
    [
      'metered usage with an allowance',
      {
        model: 'metered',
        currency: 'GBP',
        metric: 'storage_gb',
        unitPrice: '0.0125',
        includedPerPeriod: '500',
      },
    ],
    [
      'metered usage without one',
      { model: 'metered', currency: 'GBP', metric: 'api_calls', unitPrice: '0.000045' },
    ],
  ])('accepts %s', (_, plan) => {
    expect(validatePricePlan(plan)).toEqual({ valid: true, plan });
  });

  it('requires tiers to increase, with only the last one unbounded', () => {
    expect(
      problemsOf(
        tiered('graduated', [
          { upTo: 100, unitPrice: '5' },
          { upTo: 100, unitPrice: '4' },
          { upTo: null, unitPrice: '3' },
          { upTo: 900, unitPrice: '2' },
        ]),
      ),
    ).toEqual([
      'tiers[1].upTo tiers-not-increasing',
      'tiers[2].upTo unbounded-tier-not-last',
      'tiers[3].upTo last-tier-bounded',
    ]);
  });

  it('requires whole-unit, positive tier bounds and at least one tier', () => {
    expect(
      problemsOf(
        tiered('volume', [
          { upTo: 0, unitPrice: '5' },
          { upTo: 10.5, unitPrice: '4' },
          { upTo: '20', unitPrice: '4' },
          { upTo: null, unitPrice: '3' },
        ]),
      ),
    ).toEqual([
      'tiers[0].upTo invalid-tier-bound',
      'tiers[1].upTo invalid-tier-bound',
      'tiers[2].upTo invalid-tier-bound',
    ]);
    expect(problemsOf(tiered('volume', []))).toEqual(['tiers no-tiers']);
    expect(problemsOf(tiered('volume', 'lots'))).toEqual(['tiers no-tiers']);
    expect(problemsOf(tiered('volume', [7]))).toEqual(['tiers[0] invalid-tier']);
  });

  it('refuses a price or fee above £1bn, which no line in pence could hold safely, and takes £1bn itself', () => {
    expect(
      problemsOf({ model: 'per_unit', currency: 'GBP', unitPrice: '99999999999999999999999999999999' }),
    ).toEqual(['unitPrice amount-too-large']);
    expect(
      problemsOf({
        model: 'flat_fee',
        currency: 'GBP',
        feePerPeriod: '1000000000.01',
        setupFee: '1000000001',
      }),
    ).toEqual(['setupFee amount-too-large', 'feePerPeriod amount-too-large']);
    expect(problemsOf(tiered('graduated', [{ upTo: null, unitPrice: '2000000000' }]))).toEqual([
      'tiers[0].unitPrice amount-too-large',
    ]);
    expect(problemsOf({ model: 'flat_fee', currency: 'GBP', feePerPeriod: '1000000000.00' })).toEqual([]);
  });

  it('refuses negative prices and more precision than a price may carry', () => {
    expect(problemsOf({ model: 'per_unit', currency: 'GBP', unitPrice: '-1', setupFee: '10.001' })).toEqual([
      'setupFee too-many-decimal-places',
      'unitPrice negative',
    ]);
    expect(problemsOf({ model: 'flat_fee', currency: 'GBP', feePerPeriod: '99.995' })).toEqual([
      'feePerPeriod too-many-decimal-places',
    ]);
    expect(problemsOf({ model: 'per_unit', currency: 'GBP', unitPrice: '0.0000001' })).toEqual([
      'unitPrice too-many-decimal-places',
    ]);
  });

  it('refuses an amount longer than 32 characters, however many of them are zeros', () => {
    const long = `1.${'0'.repeat(31)}`;
    expect(problemsOf({ model: 'flat_fee', currency: 'GBP', feePerPeriod: long })).toEqual([
      'feePerPeriod amount-too-long',
    ]);
    expect(problemsOf({ model: 'flat_fee', currency: 'GBP', feePerPeriod: long.slice(0, 32) })).toEqual([]);
  });

  it('wants prices as exact decimal strings, not floats', () => {
    expect(problemsOf({ model: 'per_unit', currency: 'GBP', unitPrice: 4.5 })).toEqual([
      'unitPrice not-a-decimal-string',
    ]);
    expect(problemsOf({ model: 'flat_fee', currency: 'GBP' })).toEqual(['feePerPeriod not-a-decimal-string']);
  });

  it('checks the metric name and the allowance', () => {
    expect(
      problemsOf({
        model: 'metered',
        currency: 'GBP',
        metric: 'Storage GB',
        unitPrice: '1',
        includedPerPeriod: '-5',
      }),
    ).toEqual(['metric invalid-metric', 'includedPerPeriod negative']);
  });

  it('refuses unknown models, currencies and fields, so a typo is not silently ignored', () => {
    expect(problemsOf({ model: 'auction', currency: 'GBP' })).toEqual(['model unknown-model']);
    expect(problemsOf({ model: 'flat_fee', currency: 'EUR', feePerPeriod: '1' })).toEqual([
      'currency unknown-currency',
    ]);
    expect(problemsOf({ model: 'flat_fee', currency: 'GBP', feePerPeriod: '1', unitPrice: '2' })).toEqual([
      'unitPrice unknown-field',
    ]);
    expect(problemsOf(tiered('graduated', [{ upTo: null, unitPrice: '1', price: '2' }]))).toEqual([
      'tiers[0].price unknown-field',
    ]);
    expect(problemsOf(null)).toEqual([' not-an-object']);
    expect(problemsOf({ model: 'per_unit', currency: 'GBP', unitPrice: '1', unitName: '' })).toEqual([
      'unitName invalid-unit-name',
    ]);
  });

  it('throws every problem at once when asserted', () => {
    try {
      assertValidPricePlan(tiered('graduated', [{ upTo: 10, unitPrice: '-1' }]));
      throw new Error('expected an invalid price plan');
    } catch (error) {
      expect(error).toBeInstanceOf(DomainError);
      expect(error).toMatchObject({ kind: 'invalid', code: 'invalid-price-plan' });
      expect((error as DomainError).details?.problems).toHaveLength(2);
      expect((error as DomainError).message).toContain(
        'tiers[0].upTo: The last tier must have no upper limit',
      );
    }
  });

  it('names the usage metrics a plan charges for', () => {
    expect(
      pricePlanMetrics({ model: 'metered', currency: 'GBP', metric: 'storage_gb', unitPrice: '1' }),
    ).toEqual(['storage_gb']);
    expect(pricePlanMetrics({ model: 'per_unit', currency: 'GBP', unitPrice: '1' })).toEqual([]);
  });
});
