import { noticeEndDate, termEndDate } from './subscription-dates';

describe('subscription dates', () => {
  it('ends a term on the day before its anniversary, clamping to the end of short months', () => {
    expect(termEndDate('2026-04-01', 12)).toBe('2027-03-31');
    expect(termEndDate('2026-04-01', 1)).toBe('2026-04-30');
    expect(termEndDate('2027-01-31', 1)).toBe('2027-02-28');
    expect(termEndDate('2028-02-29', 12)).toBe('2029-02-28');
    expect(termEndDate('2027-01-30', 1)).toBe('2027-02-28');
  });

  it('runs notice to the later of the term’s end and the end of the notice period', () => {
    const subscription = { startDate: '2026-04-01', termMonths: 12, noticePeriodMonths: 3 };
    // Within the term: the term's end wins.
    expect(noticeEndDate(subscription, '2026-05-10')).toBe('2027-03-31');
    // Near or past the term's end: the notice period wins.
    expect(noticeEndDate(subscription, '2027-02-15')).toBe('2027-05-15');
    expect(noticeEndDate(subscription, '2028-06-30')).toBe('2028-09-30');
  });

  it('ends on the day notice is given when there is no notice period and the term is over', () => {
    const subscription = { startDate: '2025-01-01', termMonths: 1, noticePeriodMonths: 0 };
    expect(noticeEndDate(subscription, '2026-03-05')).toBe('2026-03-05');
  });
});
