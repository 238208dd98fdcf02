import {
  closeBlockers,
  closeRefusalText,
  closeSteps,
  screenFor,
  isRunInProgress,
  membershipActions,
  membershipQuestion,
  needsAttentionHeading,
  paysPhrase,
  runProgress,
  shortName,
} from '../src/consortium/words';

const NOTHING_UNBILLED = {
  differences: 0,
  unbilledDays: 0,
  unbilledEvents: 0,
  overchargedDays: 0,
  overchargedEvents: 0,
  withdrawnEvents: 0,
};

/** The API paths a refusal to close names (apps/api settlement.service closeLinks). */
const LINKS = {
  reconciliation: '/api/v1/billing-periods/p-1/reconciliation',
  chargeRuns: '/api/v1/billing-periods/p-1/charge-runs',
  draftCharges: '/api/v1/cross-charges?billingPeriodId=p-1&status=draft',
  disputes: '/api/v1/cross-charges?billingPeriodId=p-1&status=disputed',
};

const run = {
  status: 'running' as const,
  totalSubscriptions: 40,
  processedSubscriptions: 10,
  crossCharges: 0,
  chargeLines: 0,
  error: null,
};

describe('what consortium administrators read', () => {
  it('offers approve and reject for a request to join, suspend for a member, reinstate for a suspension', () => {
    expect(membershipActions('requested')).toEqual(['approve', 'reject']);
    expect(membershipActions('active')).toEqual(['suspend']);
    expect(membershipActions('suspended')).toEqual(['reinstate']);
    expect(membershipActions('left')).toEqual([]);
    expect(membershipActions('invited')).toEqual([]);
  });

  it('asks before admitting an organisation, by name', () => {
    expect(membershipQuestion('approve', 'Broadland Trust')).toMatch(/^Admit Broadland Trust as a member\?/);
  });

  it('says who pays whom in pounds, whatever the sign of the amount', () => {
    expect(paysPhrase('Norfolk County Council', 'Kent County Council', '123456')).toBe(
      'Norfolk County Council pays Kent County Council £1,234.56',
    );
    expect(paysPhrase('Suffolk', 'Essex', '-500')).toBe('Suffolk pays Essex £5.00');
  });

  it('shortens council names for the picture and leaves other names whole', () => {
    expect(shortName('Norfolk County Council')).toBe('Norfolk');
    expect(shortName('Great Yarmouth Borough Council')).toBe('Great Yarmouth');
    expect(shortName('Delt Shared Services Ltd')).toBe('Delt Shared Services');
    expect(shortName('Eastern Inshore Fisheries and Conservation Authority')).toBe('Eastern IFCA');
    expect(shortName('Council')).toBe('Council');
  });

  it('reports a running charge run as a share of its subscriptions', () => {
    expect(runProgress(run)).toEqual({ percent: 25, text: '10 of 40 subscriptions charged' });
    expect(isRunInProgress(run)).toBe(true);
  });

  it('reports a completed run as whole, with what it produced, and a failed one with its reason', () => {
    const completed = {
      ...run,
      status: 'completed' as const,
      processedSubscriptions: 40,
      crossCharges: 12,
      chargeLines: 30,
    };
    expect(runProgress(completed)).toEqual({
      percent: 100,
      text: 'Completed: 40 subscriptions charged, 12 cross-charges with 30 lines in the period',
    });
    expect(isRunInProgress(completed)).toBe(false);
    expect(runProgress({ ...run, status: 'failed', error: 'the database went away' }).text).toBe(
      'Failed after 10 of 40 subscriptions: the database went away',
    );
  });

  it('says an interrupted run is resuming, with how far it got and its last heartbeat in UK time', () => {
    const interrupted = { ...run, interrupted: true, heartbeatAt: '2026-07-01T18:42:10Z' };
    expect(runProgress(interrupted)).toEqual({
      percent: 25,
      text: 'Interrupted at 10 of 40 subscriptions, resuming (last heartbeat 1 Jul 2026, 19:42)',
    });
    expect(isRunInProgress(interrupted)).toBe(true);
  });

  it('counts the subscriptions a completed run could not charge', () => {
    const item = {
      subscriptionId: 'a',
      serviceTitle: 'Backup',
      consumerName: 'Kent',
      providerName: 'Norfolk',
      reason: 'The amount is too large to charge',
    };
    const completed = {
      ...run,
      status: 'completed' as const,
      processedSubscriptions: 40,
      crossCharges: 12,
      chargeLines: 30,
      needsAttention: [item],
    };
    expect(runProgress(completed).text).toBe(
      'Completed: 39 of 40 subscriptions charged, 12 cross-charges with 30 lines in the period; 1 subscription needs attention',
    );
    expect(needsAttentionHeading(2)).toBe('2 subscriptions need attention');
  });

  it('shows a run with nothing to charge as not started rather than dividing by zero', () => {
    expect(
      runProgress({ ...run, status: 'queued', totalSubscriptions: 0, processedSubscriptions: 0 }),
    ).toEqual({
      percent: 0,
      text: 'Waiting to start…',
    });
  });

  it('reads what stops a period closing from the API’s refusal, and nothing from any other problem', () => {
    const refusal = {
      type: 'urn:consortium:problem:conflict',
      code: 'period-not-ready-to-close',
      details: {
        draftCharges: 1,
        unresolvedDisputes: 1,
        unbilled: { ...NOTHING_UNBILLED, differences: 1, unbilledEvents: 2 },
        differences: [
          {
            providerName: 'Lincolnshire County Council',
            consumerName: 'Suffolk County Council',
            serviceTitle: 'Offsite backup storage',
            explanation: '2 storage_gb reports accepted but not on any charge yet: run charges to bill them',
          },
        ],
        links: LINKS,
      },
    };
    expect(closeBlockers(refusal)).toEqual({
      draftCharges: 1,
      unresolvedDisputes: 1,
      unbilled: { ...NOTHING_UNBILLED, differences: 1, unbilledEvents: 2 },
      differences: [
        {
          providerName: 'Lincolnshire County Council',
          consumerName: 'Suffolk County Council',
          serviceTitle: 'Offsite backup storage',
          explanation: '2 storage GB reports accepted but not on any charge yet: run charges to bill them',
        },
      ],
      links: LINKS,
    });
    // An older API sent only the counts: nothing unbilled, no links.
    expect(
      closeBlockers({
        code: 'period-not-ready-to-close',
        details: { draftCharges: 0, unresolvedDisputes: 1 },
      }),
    ).toEqual({
      draftCharges: 0,
      unresolvedDisputes: 1,
      unbilled: NOTHING_UNBILLED,
      differences: [],
      links: {},
    });
    expect(closeBlockers({ type: 'urn:consortium:problem:conflict', code: 'period-not-open' })).toBeNull();
    expect(closeBlockers(undefined)).toBeNull();
  });

  it('says in words why a period cannot close yet', () => {
    expect(closeRefusalText('Q4 2026', { draftCharges: 0, unresolvedDisputes: 1 })).toBe(
      'Q4 2026 cannot close yet: 1 dispute is still to be decided.',
    );
    expect(closeRefusalText('Q4 2026', { draftCharges: 3, unresolvedDisputes: 2 })).toBe(
      'Q4 2026 cannot close yet: 3 charges are still draft (not yet issued by their providers) and 2 disputes are still to be decided.',
    );
  });

  it('says what is not on any charge yet, or charged beyond what is owed, before drafts and disputes', () => {
    const unbilled = (figures: Partial<typeof NOTHING_UNBILLED>) => ({ ...NOTHING_UNBILLED, ...figures });
    expect(
      closeRefusalText('Q4 2026', {
        draftCharges: 0,
        unresolvedDisputes: 1,
        unbilled: unbilled({ differences: 1, unbilledEvents: 1 }),
      }),
    ).toBe(
      'Q4 2026 cannot close yet: 1 usage report is not on any charge yet and 1 dispute is still to be decided.',
    );
    expect(
      closeRefusalText('Q4 2026', {
        draftCharges: 1,
        unresolvedDisputes: 0,
        unbilled: unbilled({ differences: 3, unbilledDays: 31, unbilledEvents: 2, overchargedDays: 1 }),
      }),
    ).toBe(
      'Q4 2026 cannot close yet: 31 days in force and 2 usage reports are not on any charge yet, ' +
        '1 day or usage report is charged beyond what is owed ' +
        'and 1 charge is still draft (not yet issued by its provider).',
    );
    // A quantity that differs with every day charged: no days or reports are missing, but the charges differ.
    expect(
      closeRefusalText('Q4 2026', {
        draftCharges: 0,
        unresolvedDisputes: 0,
        unbilled: unbilled({ differences: 2 }),
      }),
    ).toBe('Q4 2026 cannot close yet: 2 charges differ from the quantities in force.');
  });

  it('links each thing that stops a close to the admin UI’s own screen for it, in the order to deal with them', () => {
    const blockers = closeBlockers({
      code: 'period-not-ready-to-close',
      details: {
        draftCharges: 2,
        unresolvedDisputes: 1,
        unbilled: { ...NOTHING_UNBILLED, differences: 1, unbilledEvents: 1 },
        differences: [],
        links: LINKS,
      },
    });
    const draftFilter = encodeURIComponent(JSON.stringify({ billingPeriodId: 'p-1', status: 'draft' }));
    const disputedFilter = encodeURIComponent(JSON.stringify({ billingPeriodId: 'p-1', status: 'disputed' }));
    expect(closeSteps(blockers!)).toEqual([
      {
        kind: 'reconciliation',
        text: 'See what is not charged yet, in the reconciliation',
        to: '/billing-periods/p-1/reconciliation',
      },
      {
        kind: 'chargeRuns',
        text: 'Run charges, so that the drafts take it in',
        to: '/consortium-billing-periods/p-1/show',
      },
      {
        kind: 'draftCharges',
        text: 'See the 2 draft charges to be issued by their providers',
        to: `/cross-charges?filter=${draftFilter}`,
      },
      {
        kind: 'disputes',
        text: 'See the disputed charges (1 dispute to decide)',
        to: `/cross-charges?filter=${disputedFilter}`,
      },
    ]);
    // Only what is in the way: a period with one dispute left links to the disputes alone.
    const disputeOnly = closeBlockers({
      code: 'period-not-ready-to-close',
      details: { draftCharges: 0, unresolvedDisputes: 1, unbilled: NOTHING_UNBILLED, links: LINKS },
    });
    expect(closeSteps(disputeOnly!).map((step) => step.kind)).toEqual(['disputes']);
    expect(screenFor('/api/v1/somewhere-else')).toBeNull();
  });
});
