import { type Theme, useMediaQuery } from '@mui/material';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useNotify, useRefresh } from 'react-admin';
import { api } from '../api/client';
import { ApiProblem, unwrap } from '../api/problem';
import { fetchMe } from '../authProvider';
import type { BillingCycle } from './price-plan-text';
import { subscriptionProblemMessage } from './subscription-text';

/** A refusal from the API (403, 404, 409…) will not change on a retry, so it is shown at once. */
const retryServerFaults = (failures: number, error: unknown) =>
  !(error instanceof ApiProblem && error.status < 500) && failures < 2;

export function useMe() {
  return useQuery({ queryKey: ['who-am-i', 'me'], queryFn: fetchMe, retry: retryServerFaults });
}

/** The consortium a service belongs to: its name and how often it bills (price plans read "per quarter"). */
export function useConsortium(id: string | undefined) {
  return useQuery({
    queryKey: ['consortium', id],
    enabled: Boolean(id),
    staleTime: 5 * 60_000,
    retry: retryServerFaults,
    queryFn: async ({ signal }) =>
      unwrap(await api.GET('/api/v1/consortia/{id}', { params: { path: { id: id ?? '' } }, signal })),
  });
}

export function useBillingCycle(consortiumId: string | undefined): BillingCycle {
  return useConsortium(consortiumId).data?.billingCycle ?? 'quarterly';
}

/** The active members of every consortium the person's organisation belongs to, by name: the provider filter. */
export function useProviderChoices() {
  const me = useMe();
  const consortia = me.data?.activeConsortia ?? [];
  return useQuery({
    queryKey: ['catalogue-providers', consortia],
    enabled: consortia.length > 0,
    staleTime: 5 * 60_000,
    retry: retryServerFaults,
    queryFn: async ({ signal }) => {
      const pages = await Promise.all(
        consortia.map(async (id) =>
          unwrap(
            await api.GET('/api/v1/consortia/{id}/members', {
              params: { path: { id }, query: { status: 'active', limit: 200 } },
              signal,
            }),
          ),
        ),
      );
      const byId = new Map(
        pages.flatMap((page) => page.data).map((m) => [m.organisationId, m.organisationName]),
      );
      return [...byId].map(([id, name]) => ({ id, name })).sort((a, b) => a.name.localeCompare(b.name));
    },
  });
}

/**
 * One action on the API (publish, approve, give notice…): on success the screen's data is reloaded and the
 * person told what happened; on failure told why, in words (a full service is said plainly), as a toast, unless
 * `refusals: 'in-dialog'`: then the caller's ConfirmDialog shows the refusal (await `mutateAsync`), once.
 */
export function useApiAction<A, R>(
  run: (args: A) => Promise<R>,
  success: string | ((result: R, args: A) => string),
  { refusals = 'toast' }: { refusals?: 'toast' | 'in-dialog' } = {},
) {
  const notify = useNotify();
  const refresh = useRefresh();
  return useMutation({
    mutationFn: run,
    onSuccess: (result, args) => {
      notify(typeof success === 'string' ? success : success(result, args), { type: 'success' });
      refresh();
    },
    onError: (error) => {
      if (refusals === 'toast') notify(subscriptionProblemMessage(error), { type: 'error', multiLine: true });
    },
  });
}

/** Narrow screens (a phone) get one card-like row per item instead of a table too wide to read. */
export const useNarrow = () => useMediaQuery((theme: Theme) => theme.breakpoints.down('md'));

/**
 * For a show page: on an API refusal (404 for what this organisation cannot see, 403…) stay and say why in the
 * API's words, rather than react-admin's default of "Element does not exist" and a jump back to the list.
 */
export const EXPLAIN_IN_PLACE = { queryOptions: { onError: () => undefined } } as const;
