import { type ApiResult, unwrap } from './problem';

/**
 * The shape of every list the API answers: `{ data, page: { nextCursor, limit } }`. The events feed always sets
 * `nextCursor` (polling carries on from it) and says with `hasMore` whether events are waiting now.
 */
export interface ListPage<T> {
  data: T[];
  page: { nextCursor?: string | null; hasMore?: boolean };
}

/**
 * Every item of a cursor-paginated list, fetching the next page only when the previous one is used up: until a
 * page has no `nextCursor` (or, for the events feed, `hasMore` is false). `fetchPage` asks for one page from a
 * cursor (undefined for the first); a refused page throws a ConsortiumApiError.
 *
 * @example
 * for await (const service of paginate((cursor) =>
 *   client.GET('/api/v1/services', { params: { query: { cursor, limit: 200 } } }),
 * )) console.log(service.title);
 */
export async function* paginate<T>(
  fetchPage: (cursor: string | undefined) => Promise<ApiResult<ListPage<T>>>,
): AsyncGenerator<T, void, undefined> {
  let cursor: string | undefined;
  do {
    const page = unwrap(await fetchPage(cursor));
    yield* page.data;
    cursor = page.page.hasMore === false ? undefined : (page.page.nextCursor ?? undefined);
  } while (cursor);
}
