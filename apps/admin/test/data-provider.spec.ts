import { createDataProvider, type ListQuery, type Page } from '../src/dataProvider';

interface Row {
  id: string;
}

/** A fake list endpoint over ids a1…a7 that pages by cursor like the API: the cursor is the last id seen. */
function cursorEndpoint(calls: ListQuery[]) {
  const rows: Row[] = Array.from({ length: 7 }, (_, i) => ({ id: `a${i + 1}` }));
  return async (query: ListQuery): Promise<Page<Row>> => {
    calls.push(query);
    const start = query.cursor ? rows.findIndex((r) => r.id === query.cursor) + 1 : 0;
    const data = rows.slice(start, start + query.limit);
    const last = data.at(-1);
    return {
      data,
      page: { nextCursor: start + query.limit < rows.length && last ? last.id : null, limit: query.limit },
    };
  };
}

describe('the admin data provider', () => {
  const sort = { field: 'name', order: 'DESC' as const };

  it('turns react-admin pages into API cursors, sort and filters', async () => {
    const calls: ListQuery[] = [];
    const provider = createDataProvider({ things: { list: cursorEndpoint(calls) } });

    const first = await provider.getList('things', {
      pagination: { page: 1, perPage: 3 },
      sort,
      filter: { q: 'x' },
    });
    const second = await provider.getList('things', {
      pagination: { page: 2, perPage: 3 },
      sort,
      filter: { q: 'x' },
    });

    expect(first).toEqual({
      data: [{ id: 'a1' }, { id: 'a2' }, { id: 'a3' }],
      pageInfo: { hasNextPage: true, hasPreviousPage: false },
    });
    expect(second.data).toEqual([{ id: 'a4' }, { id: 'a5' }, { id: 'a6' }]);
    expect(calls).toEqual([
      { limit: 3, q: 'x', sort: '-name', cursor: undefined },
      { limit: 3, q: 'x', sort: '-name', cursor: 'a3' },
    ]);
  });

  it('walks forward from the last known cursor when asked for a page it has not seen', async () => {
    const calls: ListQuery[] = [];
    const provider = createDataProvider({ things: { list: cursorEndpoint(calls) } });

    const third = await provider.getList('things', { pagination: { page: 3, perPage: 3 }, sort, filter: {} });

    expect(third).toEqual({
      data: [{ id: 'a7' }],
      pageInfo: { hasNextPage: false, hasPreviousPage: true },
      total: 7,
    });
    expect(calls.map((c) => c.cursor)).toEqual([undefined, 'a3', 'a6']);
  });

  it('returns an empty last page rather than failing when asked beyond the end', async () => {
    const provider = createDataProvider({ things: { list: cursorEndpoint([]) } });

    const tenth = await provider.getList('things', {
      pagination: { page: 10, perPage: 5 },
      sort,
      filter: {},
    });

    expect(tenth).toEqual({ data: [], pageInfo: { hasNextPage: false, hasPreviousPage: true }, total: 7 });
  });

  it('says plainly which resource the UI cannot reach yet', async () => {
    const provider = createDataProvider({});

    await expect(provider.getOne('invoices', { id: '1' })).rejects.toThrow(
      'The admin UI cannot show “invoices” yet',
    );
  });
});
