import type { Identifier } from 'react-admin';
import { api } from '../api/client';
import { unwrap } from '../api/problem';
import type { components, operations } from '../api/schema';
import type { ListQuery, Page, ResourceRegistry } from '../dataProvider';

type Schemas = components['schemas'];
export type Service = Schemas['ServiceDto'];
export type Subscription = Schemas['SubscriptionDto'];
export type SubscriptionDetail = Schemas['SubscriptionDetailDto'];
type ServiceQuery = NonNullable<operations['Services_list']['parameters']['query']>;
type SubscriptionQuery = NonNullable<operations['Subscriptions_list']['parameters']['query']>;

/** The react-admin resources of this feature (also their routes: /catalogue, /my-services…). */
export const CATALOGUE = 'catalogue';
export const MY_SERVICES = 'my-services';
export const REQUESTS = 'subscription-requests';
export const MY_SUBSCRIPTIONS = 'my-subscriptions';

/** Drops the filters a person cleared (react-admin leaves them as empty strings). */
function given<T extends object>(query: T): T {
  return Object.fromEntries(
    Object.entries(query).filter(([, value]) => value !== undefined && value !== null && value !== ''),
  ) as T;
}

/**
 * The catalogue's list sorts by relevance by default, which the API offers only while searching: without
 * search words the API's own default (title) applies.
 */
function serviceSort(query: ListQuery): string | undefined {
  const sort = query.sort;
  if (sort === undefined || /^-?relevance$/.test(sort)) return query.q ? 'relevance' : undefined;
  return sort;
}

async function listServices(query: ListQuery, signal: AbortSignal | undefined, mine: boolean) {
  const params = given({ ...(query as ServiceQuery), sort: serviceSort(query), mine: mine || undefined });
  return unwrap(await api.GET('/api/v1/services', { params: { query: params }, signal })) as Page<Service>;
}

async function oneService(id: Identifier, signal?: AbortSignal): Promise<Service> {
  return unwrap(await api.GET('/api/v1/services/{id}', { params: { path: { id: String(id) } }, signal }));
}

async function listSubscriptions(
  query: ListQuery,
  signal: AbortSignal | undefined,
  role: 'consumer' | 'provider',
) {
  const params = given({ ...(query as SubscriptionQuery), role });
  return unwrap(
    await api.GET('/api/v1/subscriptions', { params: { query: params }, signal }),
  ) as Page<Subscription>;
}

export async function oneSubscription(id: Identifier, signal?: AbortSignal): Promise<SubscriptionDetail> {
  return unwrap(
    await api.GET('/api/v1/subscriptions/{id}', { params: { path: { id: String(id) } }, signal }),
  );
}

export const catalogueResources: ResourceRegistry = {
  [CATALOGUE]: {
    list: (query, signal) => listServices(query, signal, false),
    one: oneService,
  },
  [MY_SERVICES]: {
    list: (query, signal) => listServices(query, signal, true),
    one: oneService,
    create: async (data) =>
      unwrap(await api.POST('/api/v1/services', { body: data as unknown as Schemas['CreateServiceDto'] })),
    update: async (id, data) =>
      unwrap(
        await api.PATCH('/api/v1/services/{id}', {
          params: { path: { id: String(id) } },
          body: data as Schemas['UpdateServiceDto'],
        }),
      ),
  },
  [REQUESTS]: {
    list: (query, signal) => listSubscriptions(query, signal, 'provider'),
    one: oneSubscription,
  },
  [MY_SUBSCRIPTIONS]: {
    list: (query, signal) => listSubscriptions(query, signal, 'consumer'),
    one: oneSubscription,
  },
};
