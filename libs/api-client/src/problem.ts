import type { components } from './schema';

/** An RFC 9457 problem document as the API answers it (`application/problem+json`). */
export type Problem = components['schemas']['Problem'];

/**
 * A request the API refused or failed: the status and the problem document. Switch on `type` (stable), not on
 * `title` or `detail` (words for people); quote `requestId` when reporting a problem.
 */
export class ConsortiumApiError extends Error {
  readonly status: number;
  readonly problem: Problem;
  readonly requestId?: string;

  constructor(status: number, problem: Problem, requestId?: string) {
    super(problem.detail ? `${problem.title}: ${problem.detail}` : problem.title);
    this.name = 'ConsortiumApiError';
    this.status = status;
    this.problem = problem;
    this.requestId = problem.requestId ?? requestId;
  }

  /** `urn:consortium:problem:…`, e.g. `urn:consortium:problem:not-found`. */
  get type(): string {
    return this.problem.type;
  }

  /** Made from a response body that may not be a problem document (a proxy's HTML 502, an empty body). */
  static from(response: Response, body: unknown): ConsortiumApiError {
    const requestId = response.headers.get('x-request-id') ?? undefined;
    if (isProblem(body)) return new ConsortiumApiError(response.status, body, requestId);
    return new ConsortiumApiError(
      response.status,
      {
        type: 'about:blank',
        title: response.statusText || `HTTP ${response.status}`,
        status: response.status,
      },
      requestId,
    );
  }
}

export function isProblem(body: unknown): body is Problem {
  if (!body || typeof body !== 'object') return false;
  const { type, title, status } = body as Record<string, unknown>;
  return typeof type === 'string' && typeof title === 'string' && typeof status === 'number';
}

/** What every openapi-fetch call resolves to: the data, or the error body, and the response. */
export interface ApiResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** The data of a successful call; a refused or failed one throws a ConsortiumApiError. */
export function unwrap<T>(result: ApiResult<T>): T {
  if (result.error !== undefined || !result.response.ok) {
    throw ConsortiumApiError.from(result.response, result.error);
  }
  return result.data as T;
}
