import fc from 'fast-check';
import { DomainError } from './domain-error';
import { money } from './money';
import { formatVatRate, VAT_TREATMENTS, type VatTreatment, vatOnNet, vatRateFor } from './vat';

const gbp = (pence: bigint) => money(pence, 'GBP');

describe('VAT', () => {
  it('charges 20% only on standard-rated services', () => {
    expect(vatOnNet(gbp(540_000n), 'standard')).toEqual(gbp(108_000n));
    expect(vatOnNet(gbp(540_000n), 'outside_scope')).toEqual(gbp(0n));
    expect(vatOnNet(gbp(540_000n), 'exempt')).toEqual(gbp(0n));
    expect(VAT_TREATMENTS.map(formatVatRate)).toEqual(['0%', '20%', '0%']);
  });

  it('rounds the VAT on each line to the nearest penny', () => {
    expect(vatOnNet(gbp(1n), 'standard')).toEqual(gbp(0n));
    expect(vatOnNet(gbp(3n), 'standard')).toEqual(gbp(1n));
    expect(vatOnNet(gbp(12n), 'standard')).toEqual(gbp(2n));
    expect(vatOnNet(gbp(13n), 'standard')).toEqual(gbp(3n));
    expect(vatOnNet(gbp(-13n), 'standard')).toEqual(gbp(-3n));
  });

  it('is within half a penny of 20% of the net', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n }), (net) => {
        const error = 10n * vatOnNet(gbp(net), 'standard').amountMinor - 2n * net;
        expect((error < 0n ? -error : error) <= 5n).toBe(true);
      }),
    );
  });

  it('refuses an unknown treatment', () => {
    expect(() => vatRateFor('zero' as VatTreatment)).toThrow(DomainError);
  });
});
