import { counted } from './counted';

describe('counted', () => {
  it('says one without a plural, others with one, in thousands for people', () => {
    expect(counted(1, 'day')).toBe('1 day');
    expect(counted(0, 'report')).toBe('0 reports');
    expect(counted(1500, 'subscription')).toBe('1,500 subscriptions');
  });
});
