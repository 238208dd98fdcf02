import { useQuery } from '@tanstack/react-query';
import { consortiumName } from '../api/directory';
import { ApiProblem } from '../api/problem';
import { fetchMe } from '../authProvider';
import { fetchMembers, fetchPeriods } from './finance-api';

/** The API said no (403, 404…): asking again will not change its mind, so the screen says so at once. */
export const retryUnlessRefused = (failures: number, error: unknown) =>
  !(error instanceof ApiProblem && error.status < 500) && failures < 2;

export interface ConsortiumChoice {
  id: string;
  name: string;
}

/** The consortia the signed-in organisation is an active member of, by name, and the organisation itself. */
export function useMyConsortia() {
  return useQuery({
    queryKey: ['finance', 'my-consortia'],
    queryFn: async ({ signal }) => {
      const me = await fetchMe();
      const consortia = await Promise.all(
        me.activeConsortia.map(async (id) => ({ id, name: await consortiumName(id, signal) })),
      );
      return { organisationId: me.organisationId, consortia };
    },
    retry: retryUnlessRefused,
  });
}

/** Billing periods (newest first) of each of these consortia, and their members, for the filters. */
export function usePeriodsAndMembers(consortia: ConsortiumChoice[] | undefined) {
  return useQuery({
    queryKey: ['finance', 'periods-and-members', consortia?.map((c) => c.id)],
    enabled: consortia !== undefined,
    queryFn: async ({ signal }) => {
      const perConsortium = await Promise.all(
        (consortia ?? []).map(async (consortium) => ({
          consortium,
          periods: await fetchPeriods(consortium.id, signal),
          members: await fetchMembers(consortium.id, signal),
        })),
      );
      return {
        periods: perConsortium.flatMap((c) =>
          c.periods.map((p) => ({ ...p, consortiumName: c.consortium.name })),
        ),
        members: [
          ...new Map(
            perConsortium.flatMap((c) =>
              c.members.map((m) => [m.organisationId, m.organisationName] as const),
            ),
          ),
        ].map(([id, name]) => ({ id, name })),
      };
    },
    retry: retryUnlessRefused,
  });
}

/**
 * What the finance lists filter by, once loaded: the organisation, its consortia's billing periods (as choices,
 * named with their consortium when it is in several) and their members.
 */
export function useFinanceFilters() {
  const consortia = useMyConsortia();
  const lookups = usePeriodsAndMembers(consortia.data?.consortia);
  const error = consortia.error ?? lookups.error;
  if (!consortia.data || !lookups.data) return { error, data: undefined };

  const several = consortia.data.consortia.length > 1;
  const { periods, members } = lookups.data;
  const periodChoices = periods.map((p) => ({
    id: p.id,
    name: several ? `${p.label}, ${p.consortiumName}` : `${p.label}${p.status === 'open' ? ' (open)' : ''}`,
  }));
  return { error, data: { organisationId: consortia.data.organisationId, periods, periodChoices, members } };
}
