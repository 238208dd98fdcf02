import type { Actor } from '@consortium/auth';
import {
  CallHandler,
  ExecutionContext,
  HttpStatus,
  Injectable,
  Logger,
  NestInterceptor,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import { catchError, from, mergeMap, Observable, of, throwError } from 'rxjs';
import { DataSource } from 'typeorm';
import { invalid, ProblemException } from '../../common/problem';

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
export const IDEMPOTENT_REPLAYED_HEADER = 'idempotent-replayed';
const KEY_PATTERN = /^[\x20-\x7e]{1,200}$/;

/**
 * A key whose first request never finished (the process died mid-request) may be taken over after this long. The
 * request's own transaction rolled back with the process, so nothing was done twice; and the endpoints that move
 * money are idempotent in their own right (a settlement payment posts once however often it is recorded).
 */
const ABANDONED_AFTER_SECONDS = 300;

interface StoredRecord {
  route: string;
  request_hash: string;
  response_status: number | null;
  response_body: unknown;
  abandoned: boolean;
  created_at: string;
}

/**
 * Keys belong to the caller (the user or the API key), not to the whole organisation: a replay returns the first
 * response without running the handler's own checks, so another user or key of the organisation, whose rights
 * may differ (a consortium administrator of another consortium, a key of other scopes), must never receive it.
 * The caller is part of the stored key rather than a column of its own so records keep their primary key.
 */
function callerKey(actor: Actor, key: string): string {
  return `${actor.kind}:${actor.id}:${key}`;
}

/** JSON with object keys sorted, so the same body always hashes the same however its keys were ordered. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/**
 * Honours `Idempotency-Key` on the endpoints marked @Idempotent(), which install it. The key is claimed per caller with a committed
 * insert before the handler runs (so a concurrent duplicate sees it at once and gets a 409), the response is stored
 * after the handler succeeds, and the claim is deleted when the handler fails, so the client may retry.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  private readonly logger = new Logger('Idempotency');

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    if (context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<FastifyRequest & { user?: Actor }>();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    const header = request.headers[IDEMPOTENCY_KEY_HEADER];
    if (header === undefined) return next.handle();
    if (typeof header !== 'string' || !KEY_PATTERN.test(header)) {
      throw invalid('Idempotency-Key must be 1 to 200 printable characters', [
        { field: 'Idempotency-Key', message: 'must be 1 to 200 printable ASCII characters' },
      ]);
    }
    const actor = request.user;
    if (!actor) throw new Error('@Idempotent() endpoints must be authenticated');

    const claim = {
      organisationId: actor.organisationId,
      key: callerKey(actor, header),
      route: `${request.method} ${request.url.split('?')[0]}`,
      requestHash: createHash('sha256')
        .update(canonicalJson({ query: request.query ?? {}, body: request.body ?? null }))
        .digest('hex'),
    };

    const stored = await this.claimOrFind(claim);
    if (stored) {
      void reply.status(stored.status).header(IDEMPOTENT_REPLAYED_HEADER, 'true');
      return of(stored.body ?? undefined);
    }

    return next.handle().pipe(
      catchError((error: unknown) => from(this.release(claim)).pipe(mergeMap(() => throwError(() => error)))),
      mergeMap(async (body: unknown) => {
        if (reply.statusCode >= 400) {
          await this.release(claim);
        } else {
          await this.dataSource.query(
            `UPDATE idempotency_records SET response_status = $3, response_body = $4
              WHERE organisation_id = $1 AND key = $2`,
            [claim.organisationId, claim.key, reply.statusCode, JSON.stringify(body ?? null)],
          );
        }
        return body;
      }),
    );
  }

  /** Claims the key (null: go ahead), or returns the response to replay, or refuses. */
  private async claimOrFind(claim: {
    organisationId: string;
    key: string;
    route: string;
    requestHash: string;
  }): Promise<{ status: number; body: unknown } | null> {
    // Two rounds at most: a record seen in the conflict may be released (deleted) before it is read.
    for (let attempt = 0; attempt < 3; attempt++) {
      const claimed = (await this.dataSource.query(
        `INSERT INTO idempotency_records (organisation_id, key, route, request_hash) VALUES ($1, $2, $3, $4)
         ON CONFLICT (organisation_id, key) DO NOTHING RETURNING key`,
        [claim.organisationId, claim.key, claim.route, claim.requestHash],
      )) as unknown[];
      if (claimed.length > 0) return null;

      const [record] = (await this.dataSource.query(
        `SELECT route, request_hash, response_status, response_body, created_at::text AS created_at,
                created_at < now() - make_interval(secs => $3) AS abandoned
           FROM idempotency_records WHERE organisation_id = $1 AND key = $2`,
        [claim.organisationId, claim.key, ABANDONED_AFTER_SECONDS],
      )) as StoredRecord[];
      if (!record) continue;
      if (record.route !== claim.route || record.request_hash !== claim.requestHash) {
        throw new ProblemException(
          HttpStatus.UNPROCESSABLE_ENTITY,
          'unprocessable-entity',
          'This Idempotency-Key was already used for a different request: use a new key for a new request',
          { code: 'idempotency-key-reused' },
        );
      }
      if (record.response_status !== null) {
        return { status: record.response_status, body: record.response_body };
      }
      if (record.abandoned) {
        const taken = (await this.dataSource.query(
          `UPDATE idempotency_records SET created_at = now()
            WHERE organisation_id = $1 AND key = $2 AND response_status IS NULL AND created_at = $3::timestamptz
            RETURNING key`,
          [claim.organisationId, claim.key, record.created_at],
        )) as [unknown[], number];
        if (taken[1] > 0) {
          this.logger.warn({ key: claim.key, route: claim.route }, 'Took over an abandoned idempotency key');
          return null;
        }
      }
      throw new ProblemException(
        HttpStatus.CONFLICT,
        'conflict',
        'A request with this Idempotency-Key is still being processed: retry shortly',
        { code: 'idempotency-key-in-progress' },
      );
    }
    throw new ProblemException(
      HttpStatus.CONFLICT,
      'conflict',
      'A request with this Idempotency-Key is still being processed: retry shortly',
      { code: 'idempotency-key-in-progress' },
    );
  }

  /** Frees the key of a request that failed, so a corrected retry may use it. */
  private async release(claim: { organisationId: string; key: string }): Promise<void> {
    await this.dataSource.query(
      'DELETE FROM idempotency_records WHERE organisation_id = $1 AND key = $2 AND response_status IS NULL',
      [claim.organisationId, claim.key],
    );
  }
}
