import { problemText } from '../src/api/problem-text';
import { pricePlanFromForm } from '../src/catalogue/price-plan-form';
import { describePricePlan, formatPounds, formatQuantity } from '../src/catalogue/price-plan-text';
import {
  capacityText,
  eventText,
  quantityRefusedForCapacity,
  subscriptionProblemMessage,
} from '../src/catalogue/subscription-text';

describe('price plans in words and money', () => {
  it('shows decimal pounds as money, keeping a rate finer than a penny exact', () => {
    expect(formatPounds('1250.00')).toBe('£1,250.00');
    expect(formatPounds('1500')).toBe('£1,500.00');
    expect(formatPounds('0.0125')).toBe('£0.0125');
    expect(formatPounds('20.25')).toBe('£20.25');
    expect(formatQuantity('6000')).toBe('6,000');
    expect(formatQuantity('1250.50')).toBe('1,250.5');
  });

  it('describes a flat fee per billing period with its set-up fee', () => {
    const text = describePricePlan(
      { model: 'flat_fee', feePerPeriod: '1250.00', setupFee: '2500.00' },
      'quarterly',
    );
    expect(text.summary).toBe('£1,250.00 per quarter');
    expect(text.details).toContain('A one-off set-up fee of £2,500.00 when the subscription starts.');
  });

  it('describes a per-unit price by its unit', () => {
    const text = describePricePlan({ model: 'per_unit', unitPrice: '20.25', unitName: 'device' }, 'monthly');
    expect(text.summary).toBe('£20.25 per device per month');
    expect(text.details).toContain('No set-up fee.');
  });

  it('lists each tier of a graduated plan with the units it covers', () => {
    const text = describePricePlan(
      {
        model: 'graduated',
        unitName: 'server',
        tiers: [
          { upTo: 25, unitPrice: '540.00' },
          { upTo: 100, unitPrice: '450.00' },
          { upTo: null, unitPrice: '360.00' },
        ],
      },
      'quarterly',
    );
    expect(text.summary).toBe('From £360.00 per server per quarter');
    expect(text.details).toEqual(
      expect.arrayContaining([
        '1–25: £540.00 per server per quarter',
        '26–100: £450.00 per server per quarter',
        '101 and above: £360.00 per server per quarter',
      ]),
    );
  });

  it('states a metered plan’s allowance', () => {
    const text = describePricePlan(
      {
        model: 'metered',
        metric: 'storage_gb',
        unitName: 'GB',
        unitPrice: '0.0125',
        includedPerPeriod: '6000',
      },
      'quarterly',
    );
    expect(text.summary).toBe('£0.0125 per GB used beyond 6,000 included each quarter');
    expect(text.details).toContain('The first 6,000 GB each quarter are included at no charge.');
  });
});

/** What ApiProblem (api/problem.ts) carries: the message in words and the problem document as `body`. */
function problem(status: number, body: Record<string, string>) {
  return Object.assign(new Error(problemText(status, body).message), { status, body });
}

describe('subscriptions in words', () => {
  it('says how much capacity is taken and left', () => {
    expect(capacityText({ limit: 400, unit: 'units', inUse: 160, remaining: 240 })).toBe(
      '160 of 400 units taken, 240 left',
    );
    expect(capacityText({ limit: 12, unit: 'subscribers', inUse: 12, remaining: 0 })).toBe(
      '12 of 12 subscriber places taken, none left',
    );
    expect(capacityText({ limit: null, unit: 'units', inUse: 3, remaining: null })).toBe(
      'No limit (3 units taken)',
    );
    expect(capacityText({ limit: null, unit: 'subscribers', inUse: 1, remaining: null })).toBe(
      'No limit (1 subscriber place taken)',
    );
  });

  it('reads a history entry with its quantity change and reason', () => {
    const base = { id: 'e', fromStatus: null, toStatus: null, actorLabel: 'cio@kent.gov.uk', occurredAt: '' };
    expect(
      eventText({
        ...base,
        event: 'quantity_changed',
        details: { from: 10, to: 12, effectiveFrom: '2027-01-01' },
      }),
    ).toBe('Quantity changed from 10 to 12 from 1 Jan 2027');
    expect(eventText({ ...base, event: 'rejected', details: { reason: 'No racks free' } })).toBe(
      'Rejected. Reason: No racks free',
    );
  });

  it('explains a full service in words, and any other problem as the API words it', () => {
    const full = problem(409, {
      type: 'urn:consortium:problem:conflict',
      code: 'capacity-exhausted',
      title: 'Conflict',
      detail: 'Tier III data-centre hosting has capacity for 60 units; 56 are taken and this needs 10 more',
    });
    expect(subscriptionProblemMessage(full)).toBe(
      'There is not enough room on this service: Tier III data-centre hosting has capacity for 60 units; 56 are taken and this needs 10 more. Free some capacity (or raise it on the service) and try again.',
    );
    const other = problem(403, { title: 'Forbidden', detail: 'Only the provider may approve' });
    expect(subscriptionProblemMessage(other)).toBe('Only the provider may approve.');
  });

  it('tells a subscriber asking for more than a full service has to choose less, and says nothing of other refusals', () => {
    const full = problem(409, {
      code: 'capacity-exhausted',
      title: 'Conflict',
      detail: 'Tier III data-centre hosting has capacity for 8 units; 8 are taken and this needs 1 more',
    });
    expect(quantityRefusedForCapacity(full)).toBe(
      'There is not enough room on this service for that many: Tier III data-centre hosting has capacity for 8 units; 8 are taken and this needs 1 more. Choose a smaller quantity, or ask the provider for more room.',
    );
    expect(quantityRefusedForCapacity(problem(409, { title: 'Conflict', detail: 'Ended' }))).toBeUndefined();
  });
});

describe('a price plan from the form', () => {
  it('keeps only the chosen model’s fields, drops blanks and reads an empty last tier as no limit', () => {
    expect(
      pricePlanFromForm({
        model: 'volume',
        feePerPeriod: '100.00',
        unitName: ' site ',
        setupFee: '',
        tiers: [
          { upTo: 50, unitPrice: '1260.00' },
          { upTo: '', unitPrice: '930.00' },
        ],
      }),
    ).toEqual({
      model: 'volume',
      unitName: 'site',
      tiers: [
        { upTo: 50, unitPrice: '1260.00' },
        { upTo: null, unitPrice: '930.00' },
      ],
    });
  });
});
