import { type Actor, CurrentActor, Scopes } from '@consortium/auth';
import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { EventFeedDto, EventFeedQuery } from './dto/event.dto';
import { EventsFeedService } from './events-feed.service';

/** The events feed, for integrators who poll instead of receiving webhooks. */
@ApiTags('events')
@ApiBearerAuth('bearer')
@ApiSecurity('api-key')
@Controller('events')
export class EventsController {
  constructor(private readonly feed: EventsFeedService) {}

  /**
   * Your organisation's events, oldest first, with the same ids and bodies as webhook deliveries. Keep
   * `page.nextCursor` and pass it as `after` on your next poll; `page.hasMore` says whether to read again now.
   */
  @Scopes('events:read')
  @Get()
  read(@CurrentActor() actor: Actor, @Query() query: EventFeedQuery): Promise<EventFeedDto> {
    return this.feed.read(actor, query);
  }
}
