import { DomainError } from '@consortium/domain';
import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { QueryFailedError } from 'typeorm';
import { invalid, problem, ProblemDocument, ProblemException } from './problem';

const SLUG_BY_STATUS: Record<number, string> = {
  400: 'bad-request',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not-found',
  405: 'method-not-allowed',
  409: 'conflict',
  413: 'payload-too-large',
  414: 'uri-too-long',
  408: 'request-timeout',
  415: 'unsupported-media-type',
  422: 'unprocessable-entity',
  429: 'rate-limited',
  431: 'headers-too-large',
};

const DOMAIN_STATUS: Record<DomainError['kind'], number> = {
  conflict: HttpStatus.CONFLICT,
  invalid: HttpStatus.UNPROCESSABLE_ENTITY,
  not_found: HttpStatus.NOT_FOUND,
  forbidden: HttpStatus.FORBIDDEN,
};

/** PostgreSQL errors that mean the request was wrong, not the server. */
const PG_CLIENT_ERRORS: Record<string, [number, string, string]> = {
  '23505': [409, 'conflict', 'That would duplicate something that already exists'],
  '23503': [409, 'conflict', 'That refers to something that does not exist or is still in use'],
  '23514': [422, 'unprocessable-entity', 'That breaks a rule of the data'],
  '22P02': [400, 'bad-request', 'A value has the wrong format'],
  '22003': [400, 'bad-request', 'A number is out of range'],
  '40001': [409, 'conflict', 'A concurrent change got there first: try again'],
  '40P01': [409, 'conflict', 'A concurrent change got there first: try again'],
};

/** What Nest's ParseUUIDPipe throws for a path parameter that is not a UUID (every path parameter here is an id). */
const PARSE_UUID_FAILURE = /^Validation failed \(uuid( v\d)? is expected\)$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The validation problem for malformed ids in the path, one field error per offending parameter. */
function malformedPathIds(request: FastifyRequest) {
  const params = Object.entries((request.params ?? {}) as Record<string, string>);
  const errors = params
    .filter(([, value]) => !UUID.test(value))
    .map(([field]) => ({ field, message: `${field} must be a UUID` }));
  const fieldErrors =
    errors.length > 0 ? errors : [{ field: 'path', message: 'ids in the path must be UUIDs' }];
  return invalid(fieldErrors.map((e) => e.message).join('; '), fieldErrors);
}

/** Bodies are JSON only (create-app.ts registers no other parser): say so rather than echo the status. */
const unsupportedMediaType = (request: FastifyRequest) =>
  `Send the body as application/json, not ${request.headers['content-type'] ?? 'without a content type'}`;

/**
 * Fastify's `clientErrorHandler`: a request Node's HTTP parser refuses before Fastify sees it (headers over the
 * size limit, a malformed request line, a client too slow to send its request) still gets a problem document.
 */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, detail] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'The request headers are larger than this server accepts']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'The request did not arrive in time']
        : [400, 'The request is not well-formed HTTP'];
  const body = JSON.stringify(problem(status, SLUG_BY_STATUS[status], detail));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/problem+json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

/** Turns every error into an RFC 9457 problem: one shape for clients, no stack traces, 500s logged with the request id. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('Problem');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    this.respond(exception, http.getRequest<FastifyRequest>(), http.getResponse<FastifyReply>());
  }

  /** Answers with the problem for `exception`; also Fastify's `frameworkErrors`, for URLs its router refuses. */
  respond(exception: unknown, request: FastifyRequest, reply: FastifyReply): void {
    const body = {
      ...this.toProblem(exception, request),
      instance: request.url,
      requestId: String(request.id),
    };
    if (body.status >= 500) {
      this.logger.error({ err: exception, requestId: request.id }, 'Unexpected error');
    }
    // Every 429 (request rate limits, sign-in lockouts) says when to come back, in the header clients read.
    const { retryAfterSeconds } = body as ProblemDocument;
    if (typeof retryAfterSeconds === 'number') void reply.header('retry-after', retryAfterSeconds);
    void reply
      .status(body.status)
      .header('x-request-id', body.requestId)
      .header('content-type', 'application/problem+json; charset=utf-8')
      .send(body);
  }

  private toProblem(exception: unknown, request: FastifyRequest): ProblemDocument {
    if (exception instanceof ProblemException) return exception.toProblem();
    if (exception instanceof DomainError) {
      const status = DOMAIN_STATUS[exception.kind];
      return problem(status, SLUG_BY_STATUS[status], exception.message, {
        code: exception.code,
        ...(exception.details ? { details: exception.details } : {}),
      });
    }
    if (exception instanceof HttpException && PARSE_UUID_FAILURE.test(exception.message)) {
      return malformedPathIds(request).toProblem();
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const slug = SLUG_BY_STATUS[status] ?? (status >= 500 ? 'internal' : 'bad-request');
      return problem(status, slug, status >= 500 ? undefined : this.httpDetail(exception, request));
    }
    if (exception instanceof QueryFailedError) {
      const code = (exception.driverError as { code?: string } | undefined)?.code ?? '';
      const known = PG_CLIENT_ERRORS[code];
      if (known) return problem(known[0], known[1], known[2]);
    }
    // Fastify's own client errors (bad JSON, wrong content type, body too large) carry a statusCode.
    const statusCode = (exception as { statusCode?: number } | undefined)?.statusCode;
    if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
      const detail = statusCode === 415 ? unsupportedMediaType(request) : (exception as Error).message;
      return problem(statusCode, SLUG_BY_STATUS[statusCode] ?? 'bad-request', detail);
    }
    return problem(
      500,
      'internal',
      'Something went wrong on our side. Quote the request id if you report it.',
    );
  }

  private httpDetail(exception: HttpException, request: FastifyRequest): string {
    if (exception.getStatus() === 415) return unsupportedMediaType(request);
    if (exception.getStatus() === 404 && exception.message.startsWith('Cannot ')) {
      return `No endpoint ${request.method} ${request.url.split('?')[0]}`;
    }
    return exception.message;
  }
}
