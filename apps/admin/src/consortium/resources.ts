import { api } from '../api/client';
import { unwrap } from '../api/problem';
import type { components, operations } from '../api/schema';
import type { ListQuery, Page, ResourceRegistry } from '../dataProvider';

type Schemas = components['schemas'];
export type Member = Schemas['MemberDto'];
export type BillingPeriod = Schemas['BillingPeriodDto'];
export type ChargeRun = Schemas['ChargeRunDto'];
export type ConsortiumAdmin = Schemas['ConsortiumAdminDto'] & { id: string };
export type CrossChargeDetail = Schemas['CrossChargeDetailDto'];

/** An escalated dispute with what an administrator needs to decide it: the charge, its parties and the line. */
export interface EscalatedDispute {
  /** `<cross-charge id>.<dispute id>`: a dispute is read through its charge. */
  id: string;
  chargeId: string;
  disputeId: string;
  reference: string;
  chargeGrossMinor: string;
  periodKey: string;
  providerName: string;
  consumerName: string;
  serviceTitle: string;
  lineDescription: string;
  lineNetMinor: string;
  reason: string;
  status: Schemas['DisputeDto']['status'];
  resolution: string | null;
  raisedAt: string;
  comments: Schemas['ChargeCommentDto'][];
  /** The signed-in person's organisation's side of the charge, when it is a party: then it may not decide. */
  ourSide: 'provider' | 'consumer' | null;
}

/** The resources of the consortium administrators' screens, named so no other feature's can clash. */
export const RESOURCES = {
  members: 'consortium-members',
  admins: 'consortium-admins',
  periods: 'consortium-billing-periods',
  runs: 'consortium-charge-runs',
  disputes: 'escalated-disputes',
  compliance: 'consortium-compliance',
} as const;

/** Splits the consortium (a permanent filter of each list) from the query the API takes. */
function inConsortium<Q>(query: ListQuery): { consortiumId: string; rest: Q } {
  const { consortiumId, ...rest } = query;
  if (typeof consortiumId !== 'string') throw new Error('No consortium chosen');
  return { consortiumId, rest: rest as Q };
}

/** The query parameters of a list operation, as the typed client takes them. */
type ListParams<O extends keyof operations> = NonNullable<operations[O]['parameters']['query']>;

/** The charge's disputes in the shape the screens show: by default only those awaiting an administrator. */
function disputesOf(
  charge: CrossChargeDetail,
  include: (dispute: Schemas['DisputeDto']) => boolean = (dispute) => dispute.status === 'escalated',
): EscalatedDispute[] {
  return charge.disputes.filter(include).map((dispute) => {
    const line = charge.lines.find((l) => l.id === dispute.crossChargeLineId);
    return {
      id: `${charge.id}.${dispute.id}`,
      chargeId: charge.id,
      disputeId: dispute.id,
      reference: charge.reference,
      chargeGrossMinor: charge.gross.amountMinor,
      periodKey: charge.billingPeriod.key,
      providerName: charge.provider.name,
      consumerName: charge.consumer.name,
      serviceTitle: line?.serviceTitle ?? '—',
      lineDescription: line?.description ?? '—',
      lineNetMinor: line?.net.amountMinor ?? '0',
      reason: dispute.reason,
      status: dispute.status,
      resolution: dispute.resolution,
      raisedAt: dispute.createdAt,
      comments: charge.comments.filter((c) => c.disputeId === dispute.id),
      ourSide: charge.direction === 'from_us' ? 'provider' : charge.direction === 'to_us' ? 'consumer' : null,
    };
  });
}

async function chargeDetail(id: string, signal?: AbortSignal): Promise<CrossChargeDetail> {
  return unwrap(await api.GET('/api/v1/cross-charges/{id}', { params: { path: { id } }, signal }));
}

export const consortiumResources: ResourceRegistry = {
  [RESOURCES.members]: {
    list: async (query, signal) => {
      const { consortiumId, rest } = inConsortium<ListParams<'Memberships_list'>>(query);
      return unwrap(
        await api.GET('/api/v1/consortia/{id}/members', {
          params: { path: { id: consortiumId }, query: rest },
          signal,
        }),
      );
    },
  },
  [RESOURCES.admins]: {
    list: async (query, signal) => {
      const { consortiumId, rest } = inConsortium<ListParams<'ConsortiumAdmins_list'>>(query);
      const page = unwrap(
        await api.GET('/api/v1/consortia/{id}/admins', {
          params: { path: { id: consortiumId }, query: rest },
          signal,
        }),
      );
      return { ...page, data: page.data.map((admin) => ({ ...admin, id: admin.userId })) };
    },
  },
  [RESOURCES.compliance]: {
    list: async (query, signal) => {
      const { consortiumId, rest } = inConsortium<ListParams<'ConsortiumCompliance_list'>>(query);
      return unwrap(
        await api.GET('/api/v1/consortia/{id}/compliance', {
          params: { path: { id: consortiumId }, query: rest },
          signal,
        }),
      );
    },
  },
  [RESOURCES.periods]: {
    list: async (query, signal) => {
      const { consortiumId, rest } = inConsortium<ListParams<'BillingPeriods_list'>>(query);
      return unwrap(
        await api.GET('/api/v1/consortia/{id}/billing-periods', {
          params: { path: { id: consortiumId }, query: rest },
          signal,
        }),
      );
    },
    one: async (id, signal) =>
      unwrap(await api.GET('/api/v1/billing-periods/{id}', { params: { path: { id: String(id) } }, signal })),
  },
  [RESOURCES.runs]: {
    // Reached through getManyReference, which names the period as the `billingPeriodId` filter.
    list: async ({ billingPeriodId, ...query }, signal) =>
      unwrap(
        await api.GET('/api/v1/billing-periods/{id}/charge-runs', {
          params: {
            path: { id: String(billingPeriodId) },
            query: query as ListParams<'ChargeRuns_list'>,
          },
          signal,
        }),
      ),
    one: async (id, signal) =>
      unwrap(await api.GET('/api/v1/charge-runs/{id}', { params: { path: { id: String(id) } }, signal })),
  },
  [RESOURCES.disputes]: {
    /**
     * The API lists disputed charges, not disputes: a page of the consortium's disputed charges, each read in full
     * for its escalated disputes (a page may therefore hold fewer rows than asked; its cursor still moves on).
     */
    list: async (query, signal): Promise<Page<EscalatedDispute>> => {
      const { consortiumId, rest } = inConsortium<ListParams<'CrossCharges_list'>>(query);
      const page = unwrap(
        await api.GET('/api/v1/cross-charges', {
          params: { query: { ...rest, consortiumId, status: 'disputed' } },
          signal,
        }),
      );
      const details = await Promise.all(page.data.map((charge) => chargeDetail(charge.id, signal)));
      return { data: details.flatMap((detail) => disputesOf(detail)), page: page.page };
    },
    one: async (id, signal) => {
      const [chargeId, disputeId] = String(id).split('.');
      // Whatever its status: a dispute just decided still opens, and says how it was decided.
      const [found] = disputesOf(await chargeDetail(chargeId, signal), (d) => d.id === disputeId);
      if (!found) throw new Error('This dispute was not found on its charge.');
      return found;
    },
  },
};
