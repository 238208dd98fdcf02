import {
  balancePhrase,
  chargeActions,
  chargeSentence,
  creditNoteSentence,
  type CrossChargeDetail,
  type Dispute,
  disputeActions,
  entryEffect,
  formatQuantity,
  formatRate,
  metricName,
  savingsPhrase,
  statusHistory,
  supplementLabel,
  supplementSentence,
  usageText,
  withMetricNames,
} from '../src/finance/words';
import { NO_PERMISSIONS, type Permissions } from '../src/roles';

const FINANCE: Permissions = { ...NO_PERMISSIONS, roles: ['finance'] };
const VIEWER: Permissions = { ...NO_PERMISSIONS, roles: ['viewer'] };
const CIO: Permissions = { ...NO_PERMISSIONS, roles: ['service_manager'] };
const gbp = (amountMinor: string) => ({ amountMinor, currency: 'GBP' });

function aDispute(overrides: Partial<Dispute> = {}): Dispute {
  return {
    id: 'dispute-1',
    crossChargeId: 'charge-1',
    crossChargeLineId: 'line-1',
    status: 'open',
    reason: 'We returned 320 devices',
    resolution: null,
    raisedByUserId: null,
    resolvedAt: null,
    createdAt: '2026-11-20T10:00:00Z',
    updatedAt: '2026-11-20T10:00:00Z',
    ...overrides,
  };
}

function aCharge(overrides: Partial<CrossChargeDetail> = {}): CrossChargeDetail {
  const line = (id: string, description: string) => ({
    id,
    subscriptionId: 's',
    serviceId: 'sv',
    serviceTitle: 'Desktop management per device',
    priceVersionId: 'pv',
    priceVersion: 1,
    lineKey: 'base',
    kind: 'base',
    description,
    quantity: '3500',
    unitRate: '8.10',
    net: gbp('2835000'),
    vat: gbp('0'),
    gross: gbp('2835000'),
    vatTreatment: 'outside_scope',
    credited: gbp('0'),
    detail: {},
  });
  return {
    id: 'charge-1',
    reference: 'ECIC-2026-Q4-0003',
    consortiumId: 'c',
    billingPeriod: { id: 'p', key: '2026-Q4', startDate: '2026-10-01', endDate: '2026-12-31' },
    provider: { id: 'delt', name: 'Delt Shared Services Ltd' },
    consumer: { id: 'kent', name: 'Kent County Council' },
    direction: 'to_us',
    status: 'issued',
    net: gbp('1234567'),
    vat: gbp('0'),
    gross: gbp('1234567'),
    issuedAt: '2026-11-02T09:00:00Z',
    approvedAt: null,
    createdAt: '2026-11-01T09:00:00Z',
    credited: gbp('0'),
    lines: [line('line-1', 'Devices'), line('line-2', 'Set-up')],
    disputes: [],
    creditNotes: [],
    comments: [],
    supplementOf: null,
    supplements: [],
    supplementNotes: [],
    ...overrides,
  };
}

describe('cross-charges in the finance teams’ words', () => {
  it('says who charges whom and how much, with no sign to read', () => {
    expect(chargeSentence(aCharge())).toBe('Delt Shared Services Ltd charges Kent County Council £12,345.67');
    expect(creditNoteSentence({ ...aCharge(), gross: gbp('100000') })).toBe(
      'Delt Shared Services Ltd credits Kent County Council £1,000.00',
    );
  });

  it('reads a posting by what it did to the position, and a running balance by who owes', () => {
    expect(entryEffect({ accountKind: 'receivable', amountMinor: '125000', currency: 'GBP' })).toBe(
      'We are owed £1,250.00 more',
    );
    expect(entryEffect({ accountKind: 'receivable', amountMinor: '-851662', currency: 'GBP' })).toBe(
      'We are owed £8,516.62 less',
    );
    expect(entryEffect({ accountKind: 'payable', amountMinor: '-53250', currency: 'GBP' })).toBe(
      'We owe £532.50 more',
    );
    expect(entryEffect({ accountKind: 'payable', amountMinor: '53250', currency: 'GBP' })).toBe(
      'We owe £532.50 less',
    );
    expect(balancePhrase('-2558250')).toBe('We owe £25,582.50');
    expect(balancePhrase('0')).toBe('Square');
  });

  it('says a charge whose total is negative gives money back, as a credit note does, rather than charging “−£”', () => {
    expect(chargeSentence(aCharge({ gross: gbp('-12000') }))).toBe(
      'Delt Shared Services Ltd credits Kent County Council £120.00',
    );
    expect(chargeSentence(aCharge({ gross: gbp('0') }))).toBe(
      'Delt Shared Services Ltd charges Kent County Council £0.00',
    );
  });

  it('labels a supplementary charge with its original and says what it holds; an original has no such words', () => {
    const supplement = aCharge({
      reference: 'ECIC-2026-Q4-0018-S1',
      supplementOf: { id: 'charge-0018', reference: 'ECIC-2026-Q4-0018' },
      net: gbp('4500'),
    });
    expect(supplementLabel(supplement)).toBe('Supplementary to ECIC-2026-Q4-0018');
    expect(supplementSentence(supplement)).toBe(
      'It holds what was reported or changed after ECIC-2026-Q4-0018 was issued: 2 lines, £45.00 net.',
    );
    const correction = aCharge({
      supplementOf: { id: 'charge-0018', reference: 'ECIC-2026-Q4-0018' },
      net: gbp('-1200'),
      lines: [aCharge().lines[0]],
    });
    expect(supplementSentence(correction)).toBe(
      'It holds what was reported or changed after ECIC-2026-Q4-0018 was issued: 1 line, a credit of £12.00 net.',
    );
    expect(supplementLabel(aCharge())).toBeNull();
    expect(supplementSentence(aCharge())).toBeNull();
  });

  it('names usage metrics as people read them, in the API’s sentences too, leaving references alone', () => {
    expect(metricName('storage_gb')).toBe('storage GB');
    expect(metricName('framework_spend_gbp')).toBe('framework spend (£)');
    expect(metricName('devices')).toBe('devices');
    expect(
      withMetricNames(
        '3 storage_gb in 2 reports reported after ECIC-2026-Q4-0018 was issued, charged on ECIC-2026-Q4-0018-S1',
      ),
    ).toBe(
      '3 storage GB in 2 reports reported after ECIC-2026-Q4-0018 was issued, charged on ECIC-2026-Q4-0018-S1',
    );
  });

  it('shows exact quantities, rates and usage without passing through a float', () => {
    expect(formatQuantity('1234567.125')).toBe('1,234,567.125');
    // A correction's quantity has a true minus sign, as its money does.
    expect(formatQuantity('-1490.5')).toBe('−1,490.5');
    expect(formatRate('0.0125')).toBe('£0.0125');
    expect(formatRate('450')).toBe('£450.00');
    expect(formatRate(null)).toBe('—');
    expect(
      usageText({
        usage: { metric: 'storage_gb', used: '2990', included: '2500', billable: '490' },
        usageEvents: 3,
      }),
    ).toBe('2,990 storage GB used, 2,500 included, 490 charged (3 reports)');
    expect(usageText({})).toBeNull();
  });

  it('puts savings in words, including paying more than in-house and nothing charged yet', () => {
    const figures = (baseline: string, charged: string, savings: string, pct: string | null) => ({
      baseline: gbp(baseline),
      charged: gbp(charged),
      savings: gbp(savings),
      savingsPercentage: pct,
    });
    expect(savingsPhrase('Kent County Council', figures('375000', '369900', '5100', '1.4'))).toBe(
      'Kent County Council saved £51.00 (1.4%) against running it in-house',
    );
    expect(savingsPhrase('We', figures('195000', '255150', '-60150', '-30.8'))).toBe(
      'We paid £601.50 (30.8%) more than running it in-house',
    );
    expect(savingsPhrase('We', figures('0', '0', '0', null))).toBe('Not charged yet');
  });

  it('lists the status history oldest first, disputes included', () => {
    const charge = aCharge({
      disputes: [
        aDispute({
          status: 'accepted',
          resolvedAt: '2026-11-25T12:00:00Z',
          createdAt: '2026-11-20T10:00:00Z',
        }),
      ],
      approvedAt: '2026-11-28T12:00:00Z',
    });

    expect(statusHistory(charge).map((step) => step.text)).toEqual([
      'Drafted by the charge run',
      'Issued by Delt Shared Services Ltd',
      'Kent County Council disputed “Devices”',
      'Dispute accepted: credit note raised',
      'Approved by Kent County Council',
    ]);
  });
});

describe('the review steps offered to each side', () => {
  it('offers the consumer’s finance team approval and a dispute on each line of an issued charge', () => {
    const actions = chargeActions(aCharge(), FINANCE);

    expect(actions).toEqual({
      issue: false,
      approve: true,
      comment: true,
      disputableLineIds: ['line-1', 'line-2'],
    });
  });

  it('offers no approval while a dispute awaits a decision, and no second dispute on the same line', () => {
    const actions = chargeActions(aCharge({ status: 'disputed', disputes: [aDispute()] }), FINANCE);

    expect(actions.approve).toBe(false);
    expect(actions.disputableLineIds).toEqual(['line-2']);
  });

  it('offers the provider the issue of a draft, and nothing the consumer does', () => {
    const draft = chargeActions(aCharge({ direction: 'from_us', status: 'draft' }), FINANCE);
    const issued = chargeActions(aCharge({ direction: 'from_us' }), FINANCE);

    expect(draft.issue).toBe(true);
    expect(issued).toEqual({ issue: false, approve: false, comment: true, disputableLineIds: [] });
  });

  it.each([
    ['a viewer', VIEWER],
    ['a CIO', CIO],
  ])('offers %s no step at all', (_who, permissions) => {
    const charge = aCharge({ status: 'disputed', disputes: [aDispute()] });

    expect(chargeActions(charge, permissions)).toEqual({
      issue: false,
      approve: false,
      comment: false,
      disputableLineIds: [],
    });
    expect(disputeActions(charge, aDispute(), permissions)).toEqual([]);
  });

  it('lets the provider accept or reject an open dispute, and either side escalate it', () => {
    expect(disputeActions({ direction: 'from_us' }, aDispute(), FINANCE)).toEqual([
      'accept',
      'reject',
      'escalate',
    ]);
    expect(disputeActions({ direction: 'to_us' }, aDispute(), FINANCE)).toEqual(['escalate', 'withdraw']);
  });

  it('lets the consumer escalate or withdraw a rejected dispute, and nobody act on a decided one', () => {
    expect(disputeActions({ direction: 'to_us' }, aDispute({ status: 'rejected' }), FINANCE)).toEqual([
      'escalate',
      'withdraw',
    ]);
    expect(disputeActions({ direction: 'from_us' }, aDispute({ status: 'rejected' }), FINANCE)).toEqual([
      'escalate',
    ]);
    expect(disputeActions({ direction: 'from_us' }, aDispute({ status: 'accepted' }), FINANCE)).toEqual([]);
    // The consortium's administrators decide escalated disputes on their own screens.
    expect(disputeActions({ direction: null }, aDispute({ status: 'escalated' }), FINANCE)).toEqual([]);
  });
});
