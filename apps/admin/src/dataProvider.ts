import type { DataProvider, GetListParams, Identifier, RaRecord } from 'react-admin';

/** The API's list convention (apps/api/src/common/pagination.ts): a page of items and the cursor of the next. */
export interface Page<T> {
  data: T[];
  page: { nextCursor: string | null; limit: number };
}

/** What a list endpoint takes: `limit`, the previous page's `cursor`, `sort` (`field` or `-field`), and filters. */
export interface ListQuery {
  limit: number;
  cursor?: string;
  sort?: string;
  [filter: string]: unknown;
}

/**
 * How one react-admin resource maps onto the API. Each function calls the typed client (`api.GET('/api/v1/…')`)
 * so paths, parameters and bodies are checked against apps/api/openapi.json; the provider below only adapts
 * react-admin's page numbers to the API's cursors.
 */
export interface ResourceEndpoints<T extends RaRecord = RaRecord> {
  list?: (query: ListQuery, signal?: AbortSignal) => Promise<Page<T>>;
  one?: (id: Identifier, signal?: AbortSignal) => Promise<T>;
  create?: (data: Partial<T>) => Promise<T>;
  update?: (id: Identifier, data: Partial<T>) => Promise<T>;
  delete?: (id: Identifier) => Promise<void>;
}

export type ResourceRegistry = Record<string, ResourceEndpoints>;

/** Screens register their resources here as their API arrives (catalogue, subscriptions, charges…). */
export const resources: ResourceRegistry = {};

const VERBS: Record<keyof ResourceEndpoints, string> = {
  list: 'list',
  one: 'show',
  create: 'create',
  update: 'change',
  delete: 'delete',
};

function endpoint<K extends keyof ResourceEndpoints>(
  registry: ResourceRegistry,
  resource: string,
  kind: K,
): NonNullable<ResourceEndpoints[K]> {
  const fn = registry[resource]?.[kind];
  if (!fn) throw new Error(`The admin UI cannot ${VERBS[kind]} “${resource}” yet`);
  return fn as NonNullable<ResourceEndpoints[K]>;
}

function toQuery(params: GetListParams, perPage: number): ListQuery {
  const query: ListQuery = { limit: perPage, ...(params.filter ?? {}) };
  const sort = params.sort;
  if (sort?.field) query.sort = `${sort.order === 'DESC' ? '-' : ''}${sort.field}`;
  return query;
}

/**
 * react-admin asks for page N; the API pages by cursor. The provider remembers, per list (resource, filters,
 * sort, page size), the cursor that starts each page it has seen, and walks forward from the nearest one when asked
 * for a page further on. react-admin is told whether there is a next page rather than a total, which the API does
 * not compute, until the last page gives the total away.
 */
export function createDataProvider(registry: ResourceRegistry = resources): DataProvider {
  const cursors = new Map<string, (string | undefined)[]>();

  async function getList(resource: string, params: GetListParams) {
    const list = endpoint(registry, resource, 'list');
    const perPage = Math.min(params.pagination?.perPage ?? 25, 200);
    const page = Math.max(params.pagination?.page ?? 1, 1);
    const base = toQuery(params, perPage);
    const key = JSON.stringify([resource, base]);
    const known = cursors.get(key) ?? [undefined];
    cursors.set(key, known);

    let index = Math.min(page, known.length) - 1;
    for (;;) {
      const result = await list({ ...base, cursor: known[index] }, params.signal);
      const next = result.page.nextCursor ?? undefined;
      if (next) known[index + 1] = next;
      if (index === page - 1 || !next) {
        return {
          data: index === page - 1 ? result.data : [],
          pageInfo: { hasNextPage: index === page - 1 && Boolean(next), hasPreviousPage: page > 1 },
          // Once the last page is in sight the count is known: say "1–4 of 4", not "1–25".
          ...(next ? {} : { total: index * perPage + result.data.length }),
        };
      }
      index += 1;
    }
  }

  return {
    getList,
    getManyReference: (resource, params) =>
      getList(resource, { ...params, filter: { ...params.filter, [params.target]: params.id } }),
    getOne: async (resource, params) => ({
      data: await endpoint(registry, resource, 'one')(params.id, params.signal),
    }),
    getMany: async (resource, params) => ({
      data: await Promise.all(params.ids.map((id) => endpoint(registry, resource, 'one')(id, params.signal))),
    }),
    create: async (resource, params) => ({
      data: await endpoint(registry, resource, 'create')(params.data),
    }),
    update: async (resource, params) => ({
      data: await endpoint(registry, resource, 'update')(params.id, params.data),
    }),
    updateMany: async (resource, params) => {
      const update = endpoint(registry, resource, 'update');
      await Promise.all(params.ids.map((id) => update(id, params.data)));
      return { data: params.ids };
    },
    delete: async (resource, params) => {
      await endpoint(registry, resource, 'delete')(params.id);
      return { data: params.previousData ?? { id: params.id } };
    },
    deleteMany: async (resource, params) => {
      const remove = endpoint(registry, resource, 'delete');
      await Promise.all(params.ids.map((id) => remove(id)));
      return { data: params.ids };
    },
    supportAbortSignal: true,
    // react-admin types each method as generic in the record type; the registry's records are plain RaRecords.
  } as DataProvider;
}
