import { type Actor, CurrentActor } from '@consortium/auth';
import { Controller, Get, HttpCode, HttpStatus, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import {
  MarkedReadDto,
  NotificationDto,
  NotificationListQuery,
  NotificationPageDto,
} from './dto/notification.dto';
import { NotificationsService } from './notifications.service';

/**
 * Your organisation's in-app notifications: requests to approve, decisions on your requests, certificates about
 * to expire. Read state is shared by the organisation's users. Closed to API keys, which receive the same events
 * through webhooks.
 */
@ApiTags('notifications')
@ApiBearerAuth('bearer')
@Controller('notifications')
export class NotificationsController {
  constructor(private readonly notifications: NotificationsService) {}

  /** Newest first (`sort=createdAt` for oldest first); filter with `unread=true` and `kind`. */
  @Get()
  list(@CurrentActor() actor: Actor, @Query() query: NotificationListQuery): Promise<NotificationPageDto> {
    return this.notifications.list(actor, query);
  }

  /** Marks every unread notification of your organisation read. */
  @Post('read-all')
  @HttpCode(HttpStatus.OK)
  markAllRead(@CurrentActor() actor: Actor): Promise<MarkedReadDto> {
    return this.notifications.markAllRead(actor);
  }

  /** Marks one notification read (again is harmless). */
  @Post(':id/read')
  @HttpCode(HttpStatus.OK)
  markRead(@CurrentActor() actor: Actor, @Param('id', ParseUUIDPipe) id: string): Promise<NotificationDto> {
    return this.notifications.markRead(actor, id);
  }
}
