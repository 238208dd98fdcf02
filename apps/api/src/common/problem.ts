import { HttpException, HttpStatus } from '@nestjs/common';

/** Problem types are stable identifiers clients may switch on; the title is for people. */
export const PROBLEM_TYPE_BASE = 'urn:consortium:problem:';

export interface ProblemFieldError {
  /** Dotted path of the offending field, e.g. `contact.email`. */
  field: string;
  message: string;
}

/** An RFC 9457 problem details document. */
export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  requestId?: string;
  /** The stable reason within the type, e.g. `illegal-transition`. */
  code?: string;
  errors?: ProblemFieldError[];
  [extension: string]: unknown;
}

const TITLES: Record<string, string> = {
  'validation-error': 'Your request is not valid',
  unauthenticated: 'Authentication required',
  forbidden: 'Not allowed',
  'not-found': 'Not found',
  conflict: 'Conflict with the current state',
  'rate-limited': 'Too many attempts',
  'payload-too-large': 'Request too large',
  'uri-too-long': 'Address too long',
  'unsupported-media-type': 'Unsupported media type',
  'headers-too-large': 'Request headers too large',
  'request-timeout': 'Request timed out',
  'method-not-allowed': 'Method not allowed',
  'bad-request': 'Bad request',
  'unprocessable-entity': 'The request cannot be processed',
  internal: 'Unexpected error',
};

/** Thrown anywhere in the API to answer with a specific problem. */
export class ProblemException extends HttpException {
  constructor(
    status: HttpStatus,
    readonly slug: string,
    detail: string,
    readonly extensions: Partial<ProblemDocument> = {},
  ) {
    super(detail, status);
  }

  toProblem(): ProblemDocument {
    return problem(this.getStatus(), this.slug, this.message, this.extensions);
  }
}

export function problem(
  status: number,
  slug: string,
  detail?: string,
  extensions: Partial<ProblemDocument> = {},
): ProblemDocument {
  return {
    type: PROBLEM_TYPE_BASE + slug,
    title: TITLES[slug] ?? TITLES['bad-request'],
    status,
    ...(detail ? { detail } : {}),
    ...extensions,
  };
}

export const notFound = (what: string) =>
  new ProblemException(HttpStatus.NOT_FOUND, 'not-found', `${what} was not found`);
export const forbidden = (detail = 'You are not allowed to do this', code?: string) =>
  new ProblemException(HttpStatus.FORBIDDEN, 'forbidden', detail, code ? { code } : {});
export const conflict = (detail: string, code?: string) =>
  new ProblemException(HttpStatus.CONFLICT, 'conflict', detail, code ? { code } : {});
export const unauthenticated = (detail = 'Sign in or present a valid API key') =>
  new ProblemException(HttpStatus.UNAUTHORIZED, 'unauthenticated', detail);
/** 429: the caller has spent its request budget; ProblemFilter sends `retryAfterSeconds` as Retry-After too. */
export const rateLimited = (detail: string, retryAfterSeconds: number) =>
  new ProblemException(HttpStatus.TOO_MANY_REQUESTS, 'rate-limited', detail, { retryAfterSeconds });
export const invalid = (detail: string, errors?: ProblemFieldError[]) =>
  new ProblemException(HttpStatus.BAD_REQUEST, 'validation-error', detail, errors ? { errors } : {});
