import { overallComplianceStatus, ukToday } from './compliance-status';

describe('overallComplianceStatus', () => {
  const today = '2025-06-15';
  const psn = (expiresOn: string, required = true) => ({
    kind: 'psn_compliance' as const,
    expiresOn,
    required,
  });
  const iso = (expiresOn: string, required = true) => ({ kind: 'iso_27001' as const, expiresOn, required });

  it('is compliant with no certificates at all', () => {
    expect(overallComplianceStatus([], today)).toBe('compliant');
  });

  it('takes the worst standing across kinds', () => {
    expect(overallComplianceStatus([psn('2026-01-01'), iso('2025-07-01')], today)).toBe('expiring');
    expect(overallComplianceStatus([psn('2025-06-14'), iso('2025-07-01')], today)).toBe('non_compliant');
  });

  it('counts only the latest-expiring required certificate of each kind, so a renewal supersedes', () => {
    expect(overallComplianceStatus([psn('2025-06-01'), psn('2026-06-01')], today)).toBe('compliant');
  });

  it('ignores certificates that are not required', () => {
    expect(overallComplianceStatus([psn('2025-01-01', false)], today)).toBe('compliant');
  });

  it('treats the expiry date as the last valid day', () => {
    expect(overallComplianceStatus([psn(today)], today)).toBe('expiring');
  });
});

describe('ukToday', () => {
  it('reads the date in the UK, not UTC: 23:30 UTC in British Summer Time is already tomorrow', () => {
    expect(ukToday(new Date('2025-06-15T23:30:00Z'))).toBe('2025-06-16');
    expect(ukToday(new Date('2025-12-15T23:30:00Z'))).toBe('2025-12-15');
  });
});
