import {
  type ChargeForSummary,
  countText,
  savingsSentence,
  savingsSeries,
  summariseCharges,
} from '../src/dashboard/summary';

const KENT = { id: 'kent', name: 'Kent County Council' };
const DELT = { id: 'delt', name: 'Delt Shared Services' };
const ESSEX = { id: 'essex', name: 'Essex County Council' };

function charge(
  provider: typeof KENT,
  consumer: typeof KENT,
  amountMinor: string,
  status = 'issued',
): ChargeForSummary {
  return {
    direction: provider === KENT ? 'from_us' : 'to_us',
    status,
    provider,
    consumer,
    gross: { amountMinor, currency: 'GBP' },
  };
}

describe("the dashboard's account of this period's charges", () => {
  it('says who owes whom, per counterparty, with the amounts summed in pence', () => {
    const summary = summariseCharges(KENT.name, [
      charge(DELT, KENT, '123456'),
      charge(DELT, KENT, '44'),
      charge(KENT, ESSEX, '100000', 'approved'),
    ]);

    expect(summary.dueFromUs.map((line) => line.phrase)).toEqual([
      'Kent County Council owes Delt Shared Services £1,235.00',
    ]);
    expect(summary.dueToUs.map((line) => line.phrase)).toEqual([
      'Essex County Council owes Kent County Council £1,000.00',
    ]);
    expect(summary.totalDueFromUs).toBe('123500');
    expect(summary.totalDueToUs).toBe('100000');
  });

  it('counts only issued charges as owed: drafts are counted apart and void charges not at all', () => {
    const summary = summariseCharges(KENT.name, [
      charge(KENT, ESSEX, '5000', 'draft'),
      charge(DELT, KENT, '7000', 'void'),
      charge(DELT, KENT, '9000', 'disputed'),
    ]);

    expect(summary.dueToUs).toEqual([]);
    expect(summary.totalDueToUs).toBe('0');
    expect(summary.totalDueFromUs).toBe('9000');
    expect(summary.drafts).toBe(1);
  });

  it('keeps totals exact beyond the range of a float', () => {
    const summary = summariseCharges(KENT.name, [
      charge(DELT, KENT, '9007199254740993'),
      charge(DELT, KENT, '1'),
    ]);

    expect(summary.totalDueFromUs).toBe('9007199254740994');
  });
});

describe("the dashboard's savings", () => {
  const period = (key: string, savings: string) => ({
    key,
    baseline: { amountMinor: '0' },
    charged: { amountMinor: '0' },
    savings: { amountMinor: savings },
  });

  it('gives each period and the running total, as figures people read', () => {
    expect(savingsSeries([period('2026-Q2', '150000'), period('2026-Q3', '-2550')])).toEqual([
      {
        period: 'Q2 2026 (April to June)',
        periodShort: 'Q2 2026',
        savedPounds: 1500,
        cumulativePounds: 1500,
        savedText: '£1,500.00',
        cumulativeText: '£1,500.00',
      },
      {
        period: 'Q3 2026 (July to September)',
        periodShort: 'Q3 2026',
        savedPounds: -25.5,
        cumulativePounds: 1474.5,
        savedText: '−£25.50',
        cumulativeText: '£1,474.50',
      },
    ]);
  });

  it('says a saving, an overspend and a missing baseline in words', () => {
    expect(savingsSentence('1234567', '34.5', '3578455')).toBe(
      'Saved £12,345.67 (34.5%) to date against running these services in-house.',
    );
    expect(savingsSentence('-5000', '-2.0', '250000')).toBe(
      'Spent £50.00 (2.0%) more to date than running these services in-house.',
    );
    expect(savingsSentence('0', null, '0')).toBe(
      'No in-house baseline recorded yet, so there is nothing to compare.',
    );
  });

  it('marks a count that stopped at one page as "at least"', () => {
    expect(countText(3, false)).toBe('3');
    expect(countText(200, true)).toBe('200+');
  });
});
