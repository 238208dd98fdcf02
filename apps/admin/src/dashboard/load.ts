import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client';
import { consortiumName, organisationName } from '../api/directory';
import { ApiProblem, unwrap } from '../api/problem';
import type { components } from '../api/schema';
import { fetchMe } from '../authProvider';
import type { Page } from '../dataProvider';

type Schemas = components['schemas'];

/** One page is plenty for a dashboard: counts beyond it read "200+". */
const PAGE = 200;

/** The API said no (403, 404…): asking again will not change its mind, so say so at once. */
const retry = (failures: number, error: unknown) =>
  !(error instanceof ApiProblem && error.status < 500) && failures < 2;

/** Who is signed in, with names rather than ids. */
async function loadWhoAmI(signal: AbortSignal) {
  const me = await fetchMe();
  const [organisation, consortia] = await Promise.all([
    organisationName(me.organisationId, signal),
    Promise.all(
      me.activeConsortia.map(async (id) => ({
        id,
        name: await consortiumName(id, signal),
        administered: me.consortiumAdminOf.includes(id),
      })),
    ),
  ]);
  return { me, organisation, consortia };
}

export function useWhoAmI() {
  return useQuery({ queryKey: ['who-am-i'], queryFn: ({ signal }) => loadWhoAmI(signal), retry });
}

/** Services we publish (drafts included: they are ours) and active subscriptions we take. */
export function useOurServices() {
  return useQuery({
    queryKey: ['dashboard', 'services'],
    retry,
    queryFn: async ({ signal }) => {
      const [provided, consumed] = await Promise.all([
        api
          .GET('/api/v1/services', {
            params: { query: { mine: true, limit: PAGE, sort: 'title' } as never },
            signal,
          })
          .then((r) => unwrap(r) as Page<Schemas['ServiceDto']>),
        api
          .GET('/api/v1/subscriptions', {
            params: { query: { role: 'consumer', status: 'active', limit: PAGE } as never },
            signal,
          })
          .then((r) => unwrap(r) as Page<Schemas['SubscriptionDto']>),
      ]);
      return { provided, consumed };
    },
  });
}

/** The consortium's open billing period and every charge to or from us in it. */
export function usePeriodCharges(consortiumId: string | undefined) {
  return useQuery({
    queryKey: ['dashboard', 'period-charges', consortiumId],
    enabled: Boolean(consortiumId),
    retry,
    queryFn: async ({ signal }) => {
      const periods = unwrap(
        await api.GET('/api/v1/consortia/{id}/billing-periods', {
          params: { path: { id: consortiumId ?? '' }, query: { status: 'open', limit: 1 } as never },
          signal,
        }),
      ) as Page<Schemas['BillingPeriodDto']>;
      const period = periods.data[0];
      if (!period) return { period: null, charges: [] };
      const charges = unwrap(
        await api.GET('/api/v1/cross-charges', {
          params: { query: { billingPeriodId: period.id, limit: PAGE } as never },
          signal,
        }),
      ) as Page<Schemas['CrossChargeDto']>;
      return { period, charges: charges.data };
    },
  });
}

/** Our savings in the consortium, per period and to date. */
export function useSavings(consortiumId: string | undefined, allowed: boolean) {
  return useQuery({
    queryKey: ['dashboard', 'savings', consortiumId],
    enabled: Boolean(consortiumId) && allowed,
    retry,
    queryFn: async ({ signal }) =>
      unwrap(
        await api.GET('/api/v1/savings', { params: { query: { consortiumId: consortiumId ?? '' } }, signal }),
      ),
  });
}
