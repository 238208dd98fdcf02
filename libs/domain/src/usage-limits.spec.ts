import { DomainError } from './domain-error';
import {
  MAX_USAGE_EVENT_QUANTITY,
  MAX_USAGE_PER_SUBSCRIPTION_PERIOD,
  usageBoundMicroUnits,
  usageMicroUnits,
} from './usage-limits';

describe('usage limits', () => {
  it('counts a quantity in exact millionths of a unit, whatever its written form', () => {
    expect(usageMicroUnits('0.000001')).toBe(1n);
    expect(usageMicroUnits('12.5')).toBe(12_500_000n);
    expect(usageMicroUnits('12.500000')).toBe(12_500_000n);
    expect(usageMicroUnits('999999999999999999')).toBe(999_999_999_999_999_999_000_000n);
    expect(usageMicroUnits('007.50')).toBe(7_500_000n);
    expect(usageMicroUnits('0')).toBe(0n);
    expect(usageMicroUnits('1000000000.000001')).toBe(1_000_000_000_000_001n);
  });

  it('refuses a quantity with more decimal places than a quantity may have', () => {
    expect(() => usageMicroUnits('1.0000001')).toThrow(DomainError);
  });

  it('puts the per-event bound far below the per-period bound, and both within exact bigint sums', () => {
    expect(usageBoundMicroUnits(MAX_USAGE_EVENT_QUANTITY)).toBe(1_000_000_000_000_000n);
    expect(usageBoundMicroUnits(MAX_USAGE_PER_SUBSCRIPTION_PERIOD)).toBe(10n ** 18n);
    // A batch of 1,000 events at the per-event bound reaches the per-period bound, no further.
    expect(1000n * usageBoundMicroUnits(MAX_USAGE_EVENT_QUANTITY)).toBe(
      usageBoundMicroUnits(MAX_USAGE_PER_SUBSCRIPTION_PERIOD),
    );
    expect(Number.isSafeInteger(MAX_USAGE_PER_SUBSCRIPTION_PERIOD)).toBe(true);
  });
});
