/** The finance screens' calls to the API, through the typed, authorised client. */
import { api } from '../api/client';
import { unwrap } from '../api/problem';
import type { components, paths } from '../api/schema';
import type { ListQuery, Page, ResourceRegistry } from '../dataProvider';
import type { CrossCharge, CrossChargeDetail } from './words';

type Schemas = components['schemas'];
export type BillingPeriod = Schemas['BillingPeriodDto'];
export type Member = Schemas['MemberDto'];
export type Account = Schemas['AccountDto'];
export type AccountEntry = Schemas['AccountEntryDto'];
export type Statement = Schemas['StatementDto'];
export type MemberSavings = Schemas['MemberSavingsDto'];
export type DisputeOutcome = Schemas['DisputeOutcomeDto'];
export type CreditNoteSummary = Schemas['CreditNoteSummaryDto'];

type ChargeListQuery = paths['/api/v1/cross-charges']['get']['parameters']['query'];
type CreditNoteListQuery = paths['/api/v1/credit-notes']['get']['parameters']['query'];
type EntryListQuery =
  paths['/api/v1/consortia/{consortiumId}/accounts/me/entries']['get']['parameters']['query'];

/**
 * react-admin resources: `cross-charges` (list and show), `credit-notes` (list) and `account-entries` (needs a
 * `consortiumId` filter).
 */
export const financeResources: ResourceRegistry = {
  'cross-charges': {
    list: async (query: ListQuery, signal) =>
      unwrap(
        await api.GET('/api/v1/cross-charges', { params: { query: query as ChargeListQuery }, signal }),
      ) as Page<CrossCharge & { id: string }>,
    one: async (id, signal) => fetchCharge(String(id), signal),
  },
  'credit-notes': {
    list: async (query: ListQuery, signal) =>
      unwrap(
        await api.GET('/api/v1/credit-notes', { params: { query: query as CreditNoteListQuery }, signal }),
      ),
  },
  'account-entries': {
    list: async ({ consortiumId, ...query }: ListQuery, signal) =>
      unwrap(
        await api.GET('/api/v1/consortia/{consortiumId}/accounts/me/entries', {
          params: { path: { consortiumId: String(consortiumId) }, query: query as EntryListQuery },
          signal,
        }),
      ) as Page<AccountEntry>,
  },
};

export async function fetchCharge(id: string, signal?: AbortSignal): Promise<CrossChargeDetail> {
  return unwrap(await api.GET('/api/v1/cross-charges/{id}', { params: { path: { id } }, signal }));
}

/** Every billing period of the consortium, newest first (a consortium has a few a year). */
export async function fetchPeriods(consortiumId: string, signal?: AbortSignal): Promise<BillingPeriod[]> {
  const page = unwrap(
    await api.GET('/api/v1/consortia/{id}/billing-periods', {
      params: { path: { id: consortiumId }, query: { limit: 200, sort: '-startDate' } },
      signal,
    }),
  );
  return page.data;
}

export async function fetchMembers(consortiumId: string, signal?: AbortSignal): Promise<Member[]> {
  const page = unwrap(
    await api.GET('/api/v1/consortia/{id}/members', {
      params: { path: { id: consortiumId }, query: { limit: 200 } },
      signal,
    }),
  );
  return page.data;
}

export async function fetchAccount(consortiumId: string, signal?: AbortSignal): Promise<Account> {
  return unwrap(
    await api.GET('/api/v1/consortia/{consortiumId}/accounts/me', {
      params: { path: { consortiumId } },
      signal,
    }),
  );
}

export async function fetchStatement(
  consortiumId: string,
  billingPeriodId: string,
  signal?: AbortSignal,
): Promise<Statement> {
  return unwrap(
    await api.GET('/api/v1/statements', { params: { query: { consortiumId, billingPeriodId } }, signal }),
  );
}

/**
 * The statement as a file (`csv` to download, `html` to print). The API wants the bearer token, which a plain link
 * cannot send: fetch it through the client and hand the browser the blob.
 */
export async function fetchStatementFile(
  consortiumId: string,
  billingPeriodId: string,
  format: 'csv' | 'html',
): Promise<{ blob: Blob; fileName: string }> {
  const result = await api.GET('/api/v1/statements', {
    params: { query: { consortiumId, billingPeriodId, format } },
    parseAs: 'blob',
  });
  const blob = unwrap(result) as unknown as Blob;
  const named = /filename="([^"]+)"/.exec(result.response.headers.get('content-disposition') ?? '');
  return { blob, fileName: named?.[1] ?? `statement.${format}` };
}

export async function fetchSavings(consortiumId: string, signal?: AbortSignal): Promise<MemberSavings> {
  return unwrap(await api.GET('/api/v1/savings', { params: { query: { consortiumId } }, signal }));
}

const idempotent = (key: string) => ({ 'Idempotency-Key': key });

export async function issueCharge(id: string, idempotencyKey: string): Promise<CrossChargeDetail> {
  return unwrap(
    await api.POST('/api/v1/cross-charges/{id}/issue', {
      params: { path: { id }, header: idempotent(idempotencyKey) },
    }),
  );
}

export async function approveCharge(id: string, idempotencyKey: string): Promise<CrossChargeDetail> {
  return unwrap(
    await api.POST('/api/v1/cross-charges/{id}/approve', {
      params: { path: { id }, header: idempotent(idempotencyKey) },
    }),
  );
}

export async function disputeLine(id: string, lineId: string, reason: string, idempotencyKey: string) {
  return unwrap(
    await api.POST('/api/v1/cross-charges/{id}/lines/{lineId}/dispute', {
      params: { path: { id, lineId }, header: idempotent(idempotencyKey) },
      body: { reason },
    }),
  );
}

export async function addComment(id: string, body: string) {
  return unwrap(
    await api.POST('/api/v1/cross-charges/{id}/comments', { params: { path: { id } }, body: { body } }),
  );
}

/** A step on a dispute, with an Idempotency-Key: each decides what the consumer pays (accepting raises a credit note). */
export async function decideDispute(
  action: 'accept' | 'reject' | 'escalate' | 'withdraw',
  id: string,
  reason: string,
  idempotencyKey: string,
  correctedNetMinor?: string,
): Promise<DisputeOutcome> {
  const params = { path: { id }, header: idempotent(idempotencyKey) };
  switch (action) {
    case 'accept':
      return unwrap(
        await api.POST('/api/v1/disputes/{id}/accept', {
          params,
          body: correctedNetMinor === undefined ? { reason } : { reason, correctedNetMinor },
        }),
      );
    case 'reject':
      return unwrap(await api.POST('/api/v1/disputes/{id}/reject', { params, body: { reason } }));
    case 'escalate':
      return unwrap(await api.POST('/api/v1/disputes/{id}/escalate', { params, body: { reason } }));
    case 'withdraw':
      return unwrap(await api.POST('/api/v1/disputes/{id}/withdraw', { params, body: { reason } }));
  }
}
