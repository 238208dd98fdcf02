import { complianceStanding, exceedsCapacity } from './catalogue';

describe('complianceStanding', () => {
  it('is expired the day after the expiry date', () => {
    expect(complianceStanding('2026-03-31', '2026-04-01')).toBe('expired');
  });

  it('is still valid, but expiring, on the expiry date itself', () => {
    expect(complianceStanding('2026-03-31', '2026-03-31')).toBe('expiring');
  });

  it('is expiring within 30 days and valid beyond', () => {
    expect(complianceStanding('2026-05-01', '2026-04-01')).toBe('expiring');
    expect(complianceStanding('2026-05-02', '2026-04-01')).toBe('valid');
  });
});

describe('exceedsCapacity', () => {
  it('never exceeds an unlimited service', () => {
    expect(exceedsCapacity(null, 10_000, 1)).toBe(false);
  });

  it('allows filling capacity exactly, not beyond', () => {
    expect(exceedsCapacity(10, 7, 3)).toBe(false);
    expect(exceedsCapacity(10, 7, 4)).toBe(true);
  });
});
