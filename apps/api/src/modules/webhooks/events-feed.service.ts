import type { Actor } from '@consortium/auth';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { DEFAULT_PAGE_SIZE } from '../../common/pagination';
import { invalid } from '../../common/problem';
import { EventFeedDto, EventFeedQuery } from './dto/event.dto';
import { type OutboxEventRow, toEventBody } from './event-body';
import { TOPICS, topicsOf } from './event-types';

interface FeedPosition {
  xact: string;
  id: string;
}

const START: FeedPosition = { xact: '-1', id: '0' };

function encode(position: FeedPosition): string {
  return Buffer.from(`${position.xact}:${position.id}`).toString('base64url');
}

function decode(cursor: string): FeedPosition {
  const match = /^(-?\d{1,19}):(\d{1,19})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) {
    throw invalid('after is not a cursor this API issued', [
      { field: 'after', message: 'after must be the page.nextCursor of an earlier read' },
    ]);
  }
  return { xact: match[1], id: match[2] };
}

/**
 * The events feed for integrators who poll. Unlike list pages it always hands back a cursor, so a poller resumes
 * where it stopped. Events are ordered by (writing transaction, id) and only events of transactions that have
 * finished are shown: an event whose transaction commits late therefore sorts after every cursor already issued,
 * and no event is ever skipped. (paginate() orders by one column and ends with a null cursor, so it cannot do this.)
 */
@Injectable()
export class EventsFeedService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async read(actor: Actor, query: EventFeedQuery): Promise<EventFeedDto> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const after = query.after ? decode(query.after) : START;
    const topics = query.type ? topicsOf(query.type.split(',')) : TOPICS;
    const rows = (await this.dataSource.query(
      `SELECT event_id, topic, organisation_id, created_at, payload, xact_id::text AS xact, id::text AS id
         FROM outbox_events
        WHERE organisation_id = $1
          AND topic = ANY($2)
          AND (xact_id, id) > ($3::bigint, $4::bigint)
          AND xact_id < pg_snapshot_xmin(pg_current_snapshot())::text::bigint
        ORDER BY xact_id, id
        LIMIT $5`,
      [actor.organisationId, topics, after.xact, after.id, limit + 1],
    )) as (OutboxEventRow & { xact: string; id: string })[];
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      data: page.map(toEventBody),
      page: {
        nextCursor: encode(last ? { xact: last.xact, id: last.id } : after),
        limit,
        hasMore: rows.length > limit,
      },
    };
  }
}
