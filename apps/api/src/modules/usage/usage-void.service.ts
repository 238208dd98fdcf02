import type { Actor } from '@consortium/auth';
import {
  billingPeriodFromKey,
  billingPeriodLabel,
  periodAllows,
  type BillingPeriodStatus,
} from '@consortium/domain';
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import type {
  VoidUsageEventResultDto,
  VoidUsageEventsDto,
  VoidUsageEventsResultDto,
} from './dto/usage-void.dto';
import { lockUsageOfPeriod } from './usage-barrier';

interface StoredEvent {
  id: string;
  eventId: string;
  subscriptionId: string;
  consortiumId: string;
  billingPeriodId: string;
  periodKey: string;
  periodStatus: BillingPeriodStatus;
  metric: string;
  voided: boolean;
  /** The issued (or later) charge already counting this event, if any. */
  issuedOn: string | null;
}

/**
 * Providers withdraw usage they reported by mistake, before it reaches an issued charge: the event is kept,
 * marked withdrawn with the reason, counted apart by the reconciliation and left out by the next charge run. An
 * event an issued charge already counts (its id is at or below the highest id that charge's line counted) is
 * refused: the correction is then a credit note through a dispute, as for any issued charge.
 *
 * Locks, in the order everything else takes them: the periods (FOR SHARE), the usage barrier (shared, as usage
 * batches hold it), then the pairs' charges (FOR UPDATE, by id), so a charge cannot be issued between the check and
 * the withdrawal, and a run's chunk never reads half of it.
 */
@Injectable()
export class UsageVoidService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  async void(actor: Actor, dto: VoidUsageEventsDto): Promise<VoidUsageEventsResultDto> {
    const ids = [...new Set(dto.eventIds)];
    return this.dataSource.transaction(async (manager) => {
      const periods: { id: string }[] = await manager.query(
        `SELECT DISTINCT p.id FROM usage_events e JOIN billing_periods p ON p.id = e.billing_period_id
          WHERE e.provider_organisation_id = $1 AND e.event_id = ANY($2::text[])
          ORDER BY p.id`,
        [actor.organisationId, ids],
      );
      await manager.query('SELECT id FROM billing_periods WHERE id = ANY($1::uuid[]) ORDER BY id FOR SHARE', [
        periods.map((p) => p.id),
      ]);
      for (const period of periods) await lockUsageOfPeriod(manager, period.id, 'shared');
      await manager.query(
        `SELECT c.id FROM cross_charges c
          WHERE c.billing_period_id = ANY($1::uuid[])
            AND (c.provider_organisation_id, c.consumer_organisation_id) IN (
              SELECT s.provider_organisation_id, s.consumer_organisation_id
                FROM usage_events e JOIN subscriptions s ON s.id = e.subscription_id
               WHERE e.provider_organisation_id = $2 AND e.event_id = ANY($3::text[]))
          ORDER BY c.id FOR UPDATE OF c`,
        [periods.map((p) => p.id), actor.organisationId, ids],
      );
      const stored: StoredEvent[] = await manager.query(
        `SELECT e.id, e.event_id AS "eventId", e.subscription_id AS "subscriptionId",
                p.consortium_id AS "consortiumId", e.billing_period_id AS "billingPeriodId", p.key AS "periodKey",
                p.status AS "periodStatus", e.metric, e.voided_at IS NOT NULL AS voided,
                (SELECT c.reference FROM cross_charge_lines l JOIN cross_charges c ON c.id = l.cross_charge_id
                  WHERE l.billing_period_id = e.billing_period_id AND l.subscription_id = e.subscription_id
                    AND l.usage_metric = e.metric AND l.usage_through_event_id >= e.id
                    AND c.status NOT IN ('draft', 'void')
                  ORDER BY l.usage_through_event_id LIMIT 1) AS "issuedOn"
           FROM usage_events e JOIN billing_periods p ON p.id = e.billing_period_id
          WHERE e.provider_organisation_id = $1 AND e.event_id = ANY($2::text[])
          FOR UPDATE OF e`,
        [actor.organisationId, ids],
      );
      const byId = new Map(stored.map((event) => [event.eventId, event]));
      const toVoid: StoredEvent[] = [];
      const outcome = (eventId: string): VoidUsageEventResultDto => {
        const event = byId.get(eventId);
        if (!event) {
          return {
            eventId,
            status: 'rejected',
            code: 'not-found',
            reason: 'No usage event of yours has this id',
          };
        }
        if (event.voided) return { eventId, status: 'already-voided' };
        const label = billingPeriodLabel(billingPeriodFromKey(event.periodKey));
        if (!periodAllows(event.periodStatus, 'record_usage')) {
          return {
            eventId,
            status: 'rejected',
            code: 'period-not-open',
            reason: `${label} is ${event.periodStatus}: its usage can no longer change`,
          };
        }
        if (event.issuedOn) {
          return {
            eventId,
            status: 'rejected',
            code: 'on-issued-charge',
            reason:
              `Already charged on ${event.issuedOn}, which has been issued: ask the consumer to dispute the line ` +
              'and accept the dispute to credit it',
          };
        }
        toVoid.push(event);
        return { eventId, status: 'voided' };
      };
      const outcomes = new Map(ids.map((eventId) => [eventId, outcome(eventId)]));
      const results = dto.eventIds.map((eventId) => outcomes.get(eventId) as VoidUsageEventResultDto);
      if (toVoid.length > 0) {
        await manager.query(
          `UPDATE usage_events SET voided_at = now(), void_reason = $2, voided_by_label = $3
            WHERE id = ANY($1::bigint[])`,
          [toVoid.map((e) => e.id), dto.reason, actor.label],
        );
        const consortia = [...new Set(toVoid.map((e) => e.consortiumId))];
        await this.audit.record(manager, actor, {
          action: 'usage.voided',
          entityType: 'usage_batch',
          entityId: randomUUID(),
          consortiumId: consortia.length === 1 ? consortia[0] : null,
          changes: {
            reason: dto.reason,
            events: toVoid.map((e) => ({
              eventId: e.eventId,
              subscriptionId: e.subscriptionId,
              metric: e.metric,
            })),
          },
        });
      }
      return {
        voided: results.filter((r) => r.status === 'voided').length,
        alreadyVoided: results.filter((r) => r.status === 'already-voided').length,
        rejected: results.filter((r) => r.status === 'rejected').length,
        results,
      };
    });
  }
}
