import type { Actor } from '@consortium/auth';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { DEFAULT_PAGE_SIZE } from '../../common/pagination';
import { invalid } from '../../common/problem';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../../config/runtime-config';
import { EventFeedDto, EventFeedQuery } from './dto/event.dto';
import { type OutboxEventRow, toEventBody } from './event-body';
import { TOPICS, topicsOf } from './event-types';
import { FeedCursors } from './feed-cursor';

/** The advisory lock that lets one transaction at a time number events (any constant unique to this use). */
const FEED_SEQUENCING_LOCK = 7_311_002_026;
const SEQUENCING_BATCH = 1000;

/**
 * The events feed for integrators who poll. Unlike list pages it always hands back a cursor, so a poller resumes
 * where it stopped. Its order is `feed_seq`, a number each event gets after its transaction commits, from one
 * numbering transaction at a time: a later number is only ever given after every earlier one was committed, so an
 * event that commits late lands after every cursor already issued and none is skipped. (paginate() orders rows as
 * they were written and ends with a null cursor, so it cannot do this.)
 */
@Injectable()
export class EventsFeedService {
  private readonly cursors: FeedCursors;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(RUNTIME_CONFIG) config: RuntimeConfig,
  ) {
    this.cursors = new FeedCursors(config.secretsKey);
  }

  /** Where a cursor points: only one issued to the caller's organisation, unaltered, is read. */
  private positionOf(actor: Actor, cursor: string): string {
    const position = this.cursors.open(actor.organisationId, cursor);
    if (position === null) {
      throw invalid('after is not a cursor this API issued to your organisation', [
        {
          field: 'after',
          message: 'after must be the page.nextCursor of an earlier read by your organisation',
        },
      ]);
    }
    return position;
  }

  /** Numbers the committed events that have no place in the feed yet, oldest first. Returns how many. */
  async sequence(): Promise<number> {
    let numbered = 0;
    for (;;) {
      const batch = await this.dataSource.transaction(async (manager) => {
        await manager.query('SELECT pg_advisory_xact_lock($1)', [FEED_SEQUENCING_LOCK]);
        const rows = (await manager.query(
          `WITH unnumbered AS (
             SELECT id FROM outbox_events WHERE feed_seq IS NULL ORDER BY id LIMIT $1
           ), numbered AS (
             SELECT id, nextval('outbox_feed_seq') AS seq FROM unnumbered
           )
           UPDATE outbox_events o SET feed_seq = n.seq FROM numbered n WHERE o.id = n.id RETURNING o.id`,
          [SEQUENCING_BATCH],
        )) as [unknown[], number];
        return rows[1];
      });
      numbered += batch;
      if (batch < SEQUENCING_BATCH) return numbered;
    }
  }

  async read(actor: Actor, query: EventFeedQuery): Promise<EventFeedDto> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const after = query.after ? this.positionOf(actor, query.after) : '0';
    const topics = query.type ? topicsOf(query.type.split(',')) : TOPICS;
    await this.sequence();
    const rows = (await this.dataSource.query(
      `SELECT event_id, topic, organisation_id, created_at, payload, feed_seq::text AS position
         FROM outbox_events
        WHERE organisation_id = $1 AND topic = ANY($2) AND feed_seq > $3::bigint
        ORDER BY feed_seq
        LIMIT $4`,
      [actor.organisationId, topics, after, limit + 1],
    )) as (OutboxEventRow & { position: string })[];
    const page = rows.slice(0, limit);
    return {
      data: page.map(toEventBody),
      page: {
        nextCursor: this.cursors.seal(
          actor.organisationId,
          page.length > 0 ? page[page.length - 1].position : after,
        ),
        limit,
        hasMore: rows.length > limit,
      },
    };
  }
}
