import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { PageInfo, PageQuery } from '../../../common/pagination';
import { DELIVERY_STATUSES, type DeliveryStatus } from '../webhook-delivery.entity';
import { EVENT_TYPES, type EventType } from '../event-types';

export class WebhookDeliveryListQuery extends PageQuery {
  /** Only deliveries in this state. */
  @ApiProperty({ required: false, enum: DELIVERY_STATUSES })
  @IsOptional()
  @IsIn(DELIVERY_STATUSES)
  status?: DeliveryStatus;
}

/** One event on its way to an endpoint: the delivery log. */
export class WebhookDeliveryDto {
  /** Sent as `Consortium-Delivery-Id`. */
  id!: string;
  endpointId!: string;
  /** Sent as `Consortium-Event-Id`; the same for every delivery of one event (use it to de-duplicate). */
  eventId!: string;
  @ApiProperty({ enum: EVENT_TYPES })
  eventType!: EventType;
  /** pending: waiting to be sent or retried; succeeded: answered 2xx; failed: gave up after the last attempt. */
  @ApiProperty({ enum: DELIVERY_STATUSES })
  status!: DeliveryStatus;
  attempts!: number;
  /** When the next attempt is due; null once it succeeded or failed. */
  nextAttemptAt!: Date | null;
  lastAttemptAt!: Date | null;
  lastResponseStatus!: number | null;
  lastError!: string | null;
  deliveredAt!: Date | null;
  /** The delivery this one repeats, when it is a redelivery. */
  redeliveryOf!: string | null;
  createdAt!: Date;
}

export class WebhookDeliveryAttemptDto {
  attempt!: number;
  startedAt!: Date;
  durationMs!: number;
  /** The status the endpoint answered; null when it did not answer (timeout, connection refused). */
  responseStatus!: number | null;
  error!: string | null;
}

export class WebhookDeliveryDetailDto extends WebhookDeliveryDto {
  /** Every attempt, oldest first. */
  attemptLog!: WebhookDeliveryAttemptDto[];
}

export class WebhookDeliveryPageDto {
  data!: WebhookDeliveryDto[];
  page!: PageInfo;
}
