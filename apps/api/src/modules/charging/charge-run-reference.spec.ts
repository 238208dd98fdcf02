import { consortiumInitials, crossChargeReference, crossChargeReferencePrefix } from './charge-run-reference';

describe('cross-charge references', () => {
  it('takes the first letter of each word of the consortium name', () => {
    expect(consortiumInitials('Eastern Counties ICT Consortium')).toBe('ECIC');
    expect(consortiumInitials('Delt shared-services (South West)')).toBe('DSSSW');
  });

  it('falls back to CC when the name has no letters or digits', () => {
    expect(consortiumInitials('—')).toBe('CC');
  });

  it('numbers references within the consortium and period, four digits at least', () => {
    const prefix = crossChargeReferencePrefix('Eastern Counties ICT Consortium', '2026-11');
    expect(crossChargeReference(prefix, 42)).toBe('ECIC-2026-11-0042');
    expect(crossChargeReference(prefix, 12345)).toBe('ECIC-2026-11-12345');
  });
});
