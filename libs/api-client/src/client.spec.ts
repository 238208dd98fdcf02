import { createConsortiumClient } from './client';
import { paginate } from './paginate';
import { ConsortiumApiError, unwrap } from './problem';

/** A fetch that records each request and answers with the next canned response. */
function recordingFetch(...responses: Response[]) {
  const requests: Request[] = [];
  const fetch = async (request: Request) => {
    requests.push(request);
    return responses.shift() ?? new Response(null, { status: 500 });
  };
  return { requests, fetch };
}

const json = (body: unknown, init: ResponseInit = {}) =>
  new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' }, ...init });

const BASE_URL = 'https://marketplace.example.gov.uk';

describe('createConsortiumClient', () => {
  it('sends the API key, a request id and the user agent with every request', async () => {
    const { requests, fetch } = recordingFetch(json({ data: [], page: { nextCursor: null, limit: 50 } }));
    const client = createConsortiumClient({
      baseUrl: BASE_URL,
      apiKey: 'csk_abc_secret',
      fetch,
      userAgent: 'sync/1',
    });
    await client.GET('/api/v1/services');
    const [request] = requests;
    expect(request.url).toBe(`${BASE_URL}/api/v1/services`);
    expect(request.headers.get('x-api-key')).toBe('csk_abc_secret');
    expect(request.headers.get('authorization')).toBeNull();
    expect(request.headers.get('user-agent')).toBe('sync/1');
    expect(request.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('asks for the current access token before each request and keeps a request id the caller set', async () => {
    const { requests, fetch } = recordingFetch(json({}), json({}));
    let token = 'first';
    const client = createConsortiumClient({ baseUrl: BASE_URL, getAccessToken: async () => token, fetch });
    await client.GET('/api/v1/auth/me', { headers: { 'X-Request-Id': 'mine-1' } });
    token = 'second';
    await client.GET('/api/v1/auth/me');
    expect(requests.map((r) => r.headers.get('authorization'))).toEqual(['Bearer first', 'Bearer second']);
    expect(requests[0].headers.get('x-request-id')).toBe('mine-1');
  });
});

describe('unwrap', () => {
  it('turns a problem document into a ConsortiumApiError', async () => {
    const { fetch } = recordingFetch(
      json(
        { type: 'urn:consortium:problem:forbidden', title: 'Not allowed', status: 403, requestId: 'r-1' },
        { status: 403, headers: { 'content-type': 'application/problem+json' } },
      ),
    );
    const client = createConsortiumClient({ baseUrl: BASE_URL, accessToken: 't', fetch });
    const error = await client
      .GET('/api/v1/users')
      .then(unwrap)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConsortiumApiError);
    expect(error).toMatchObject({ status: 403, type: 'urn:consortium:problem:forbidden', requestId: 'r-1' });
  });

  it('still throws a ConsortiumApiError when a proxy answers with something that is not a problem', async () => {
    const { fetch } = recordingFetch(
      new Response('<html>Bad gateway</html>', {
        status: 502,
        statusText: 'Bad Gateway',
        headers: { 'content-type': 'text/html', 'x-request-id': 'edge-7' },
      }),
    );
    const client = createConsortiumClient({ baseUrl: BASE_URL, accessToken: 't', fetch });
    const error = await client
      .GET('/api/v1/users')
      .then(unwrap)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      status: 502,
      type: 'about:blank',
      message: 'Bad Gateway',
      requestId: 'edge-7',
    });
  });
});

describe('paginate', () => {
  it('follows nextCursor until the last page and stops on a refused page', async () => {
    const pages: Record<string, unknown> = {
      first: { data: [1, 2], page: { nextCursor: 'c2' } },
      c2: { data: [3], page: { nextCursor: null } },
    };
    const seen: (string | undefined)[] = [];
    const items: number[] = [];
    for await (const item of paginate<number>(async (cursor) => {
      seen.push(cursor);
      return { data: pages[cursor ?? 'first'] as never, response: new Response(null, { status: 200 }) };
    })) {
      items.push(item);
    }
    expect(items).toEqual([1, 2, 3]);
    expect(seen).toEqual([undefined, 'c2']);

    const refused = paginate(async () => ({
      error: { type: 'urn:consortium:problem:validation-error', title: 'Invalid', status: 400 },
      response: new Response(null, { status: 400 }),
    }));
    await expect(refused.next()).rejects.toBeInstanceOf(ConsortiumApiError);
  });

  it('stops at the events feed page that says nothing more is waiting, though it always has a cursor', async () => {
    const feed: Record<string, unknown> = {
      start: { data: ['e1'], page: { nextCursor: 'a1', hasMore: true } },
      a1: { data: ['e2'], page: { nextCursor: 'a2', hasMore: false } },
    };
    const events: string[] = [];
    for await (const event of paginate<string>(async (after) => ({
      data: feed[after ?? 'start'] as never,
      response: new Response(null, { status: 200 }),
    }))) {
      events.push(event);
    }
    expect(events).toEqual(['e1', 'e2']);
  });
});
