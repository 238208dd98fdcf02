import {
  chargedText,
  emptyRowsText,
  expectedText,
  measureLabel,
  plainDecimal,
  reconciliationPath,
  reconciliationState,
  type ReconciliationRow,
  rowExplanation,
  seesReconciliation,
  summaryFigures,
} from '../src/reconciliation/words';
import { NO_PERMISSIONS } from '../src/roles';

function aRow(overrides: Partial<ReconciliationRow> = {}): ReconciliationRow {
  return {
    subscriptionId: 's-1',
    serviceId: 'sv-1',
    serviceTitle: 'Desktop management per device',
    providerId: 'delt',
    providerName: 'Delt Shared Services Ltd',
    consumerId: 'kent',
    consumerName: 'Kent County Council',
    measure: 'days',
    metric: null,
    expectedCount: 92,
    expectedQuantity: '322000',
    chargedCount: 92,
    chargedQuantity: '322000',
    withdrawnCount: 0,
    withdrawnQuantity: '0',
    charges: ['ECIC-2026-Q4-0006'],
    agrees: true,
    explanation: '92 days in force, each charged once (charges ECIC-2026-Q4-0006)',
    ...overrides,
  };
}

const aUsageRow = (overrides: Partial<ReconciliationRow> = {}) =>
  aRow({
    measure: 'usage',
    metric: 'framework_spend_gbp',
    expectedCount: 3,
    expectedQuantity: '166500.000000',
    chargedCount: 3,
    chargedQuantity: '166500',
    ...overrides,
  });

describe('a billing period’s reconciliation in words', () => {
  it('names what each row measures: the days in force, or one metric’s usage', () => {
    expect(measureLabel(aRow())).toBe('Days in force');
    expect(measureLabel(aUsageRow())).toBe('Usage: framework spend (£)');
  });

  it('says the days owed and charged with the quantity in force, or the quantity-days when it changed', () => {
    expect(expectedText(aRow())).toBe('92 days, quantity 3,500');
    expect(chargedText(aRow({ chargedCount: 61, chargedQuantity: '213500' }))).toBe(
      '61 days, quantity 3,500',
    );
    // 31 days of 3,500 then 61 of 3,000: no single quantity, so the day-weighted total.
    expect(expectedText(aRow({ expectedQuantity: '291500' }))).toBe('92 days, 291,500 unit-days');
    // A flat fee charges days only.
    expect(expectedText(aRow({ expectedQuantity: null, expectedCount: 1 }))).toBe('1 day');
    expect(chargedText(aRow({ chargedCount: 0, chargedQuantity: null }))).toBe('None');
  });

  it('says usage as the quantity and the reports it came in, without the zeros of its scale', () => {
    expect(expectedText(aUsageRow())).toBe('166,500 framework spend (£) in 3 reports');
    expect(chargedText(aUsageRow({ chargedCount: 1, chargedQuantity: '2.500' }))).toBe(
      '2.5 framework spend (£) in 1 report',
    );
    expect(chargedText(aUsageRow({ chargedCount: 0, chargedQuantity: '0' }))).toBe('None');
    expect(plainDecimal('166500.000000')).toBe('166500');
    expect(plainDecimal('0.000')).toBe('0');
    expect(plainDecimal('1200')).toBe('1200');
  });

  it('reads the API’s explanation with its metrics named as people read them', () => {
    expect(
      rowExplanation({
        explanation:
          '1 storage_gb report accepted but not on any charge yet (charges ECIC-2026-Q4-0013): run charges to bill them',
      }),
    ).toBe(
      '1 storage GB report accepted but not on any charge yet (charges ECIC-2026-Q4-0013): run charges to bill them',
    );
  });

  it('is complete, not complete, or waiting for a charge run, which comes first', () => {
    expect(reconciliationState({ complete: true, chargeRunInProgress: false })).toBe('complete');
    expect(reconciliationState({ complete: false, chargeRunInProgress: false })).toBe('incomplete');
    expect(reconciliationState({ complete: false, chargeRunInProgress: true })).toBe('running');
  });

  it('shows only the summary’s figures that are not nought, in words', () => {
    expect(
      summaryFigures({
        differences: 2,
        unbilledDays: 0,
        unbilledEvents: 1500,
        overchargedDays: 0,
        overchargedEvents: 0,
        withdrawnEvents: 1,
      }),
    ).toEqual([
      { label: 'Subscriptions and metrics that differ', value: '2' },
      { label: 'Usage reports not on any charge', value: '1,500' },
      { label: 'Usage reports withdrawn by providers (never charged)', value: '1' },
    ]);
    expect(
      summaryFigures({
        differences: 0,
        unbilledDays: 0,
        unbilledEvents: 0,
        overchargedDays: 0,
        overchargedEvents: 0,
        withdrawnEvents: 0,
      }),
    ).toEqual([]);
  });

  it('says what an empty table means', () => {
    expect(emptyRowsText('differences', 'Q4 2026')).toBe(
      'Nothing differs: every day in force and every usage report accepted in Q4 2026 is on exactly one charge.',
    );
    expect(emptyRowsText('all', 'Q4 2026')).toBe('No subscription you can see is charged in Q4 2026.');
  });

  it('is offered to the consortium’s administrators and finance teams, as the endpoint allows, at its own address', () => {
    expect(seesReconciliation({ ...NO_PERMISSIONS, consortiumAdminOf: ['c-1'], roles: ['viewer'] })).toBe(
      true,
    );
    expect(seesReconciliation({ ...NO_PERMISSIONS, roles: ['finance'] })).toBe(true);
    expect(seesReconciliation({ ...NO_PERMISSIONS, roles: ['service_manager', 'viewer'] })).toBe(false);
    expect(seesReconciliation(undefined)).toBe(false);
    expect(reconciliationPath('p-1')).toBe('/billing-periods/p-1/reconciliation');
  });
});
