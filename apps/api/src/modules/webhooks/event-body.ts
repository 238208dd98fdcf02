import { createHmac } from 'node:crypto';
import { EVENT_TYPE_OF_TOPIC } from './event-types';
import type { EventDto } from './dto/event.dto';

/** An outbox row as the feed and the sender read it. */
export interface OutboxEventRow {
  event_id: string;
  topic: string;
  organisation_id: string;
  created_at: Date;
  payload: {
    consortiumId?: string | null;
    entityType?: string;
    entityId?: string;
    title?: string;
    data?: Record<string, unknown>;
  };
}

/** The event as integrators see it, the same in the feed and in every delivery (so its body never changes). */
export function toEventBody(row: OutboxEventRow): EventDto {
  return {
    id: row.event_id,
    type: EVENT_TYPE_OF_TOPIC[row.topic],
    occurredAt: new Date(row.created_at).toISOString(),
    organisationId: row.organisation_id,
    consortiumId: row.payload.consortiumId ?? null,
    data: {
      entityType: row.payload.entityType ?? null,
      entityId: row.payload.entityId ?? null,
      title: row.payload.title ?? null,
      ...(row.payload.data ?? {}),
    },
  };
}

/**
 * `Consortium-Signature`: `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`, with one `v1` per
 * secret while a rotation's old secret is still valid (a receiver accepts any one that matches).
 */
export function signatureHeader(secrets: string[], unixSeconds: number, rawBody: string): string {
  const signatures = secrets.map(
    (secret) => `v1=${createHmac('sha256', secret).update(`${unixSeconds}.${rawBody}`).digest('hex')}`,
  );
  return [`t=${unixSeconds}`, ...signatures].join(',');
}
