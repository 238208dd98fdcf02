import { type Actor, isActiveMember } from '@consortium/auth';
import {
  addDays,
  addMonths,
  assertCanSubscribe,
  type Currency,
  DomainError,
  exceedsCapacity,
  formatDateForPeople,
  type IsoDate,
  SUBSCRIPTION_ACTION_PARTY,
  SUBSCRIPTION_STATUSES_IN_FORCE,
  type SubscriptionAction,
  subscriptionLifecycle,
  type SubscriptionStatus,
} from '@consortium/domain';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, QueryFailedError } from 'typeorm';
import { paginate, type Page, type SortSpec } from '../../common/pagination';
import { conflict, forbidden, invalid, notFound } from '../../common/problem';
import { AuditService } from '../audit/audit.service';
import { ukToday } from '../catalogue/compliance-status';
import { PriceVersion } from '../catalogue/price-version.entity';
import { capacityInUse } from '../catalogue/service-access';
import { Service } from '../catalogue/service.entity';
import { administers } from '../consortia/consortium-access';
import { Membership } from '../consortia/membership.entity';
import { NotificationsService } from '../notifications/notifications.service';
import { Organisation } from '../organisations/organisation.entity';
import {
  ChangeQuantityDto,
  CreateSubscriptionDto,
  HistoryQuery,
  SubscriptionDetailDto,
  SubscriptionDto,
  SubscriptionEventDto,
  SubscriptionListQuery,
} from './dto/subscription.dto';
import { noticeEndDate, termEndDate } from './subscription-dates';
import { SubscriptionEvent } from './subscription-event.entity';
import { SubscriptionQuantity } from './subscription-quantity.entity';
import { Subscription } from './subscription.entity';

/** Statuses in which a subscription is open: one per consumer and service (backed by a unique partial index). */
const OPEN_STATUSES: readonly SubscriptionStatus[] = ['requested', ...SUBSCRIPTION_STATUSES_IN_FORCE];
const OPEN_PER_CONSUMER_INDEX = 'uq_subscription_open_per_consumer';

/** How far back a request may date its start (see CreateSubscriptionDto.startDate) and how far ahead. */
export const MAX_BACKDATED_START_DAYS = 31;
export const MAX_START_AHEAD_MONTHS = 24;

/** The history event each lifecycle action writes (also the notification kind, `subscription.<event>`). */
const EVENT_OF_ACTION: Record<SubscriptionAction, string> = {
  approve: 'approved',
  reject: 'rejected',
  cancel: 'cancelled',
  suspend: 'suspended',
  reinstate: 'resumed',
  give_notice: 'notice_given',
  end: 'ended',
};

const SUBSCRIPTION_SORT: SortSpec = {
  fields: { createdAt: 's.createdAt', startDate: 's.startDate' },
  default: '-createdAt',
  tieBreaker: 's.id',
};

const HISTORY_SORT: SortSpec = {
  fields: { occurredAt: 'e.occurredAt' },
  default: 'occurredAt',
  tieBreaker: 'e.id',
};

type Side = 'consumer' | 'provider';

/** A subscription with what its messages and responses name: the service and both organisations. */
type SubscriptionWithParties = Subscription & {
  service: Service;
  consumer: Organisation;
  provider: Organisation;
};

interface Change {
  event: string;
  from: SubscriptionStatus | null;
  to: SubscriptionStatus | null;
  details: Record<string, unknown>;
  /** Who hears about it, and what they read. */
  notify: { side: Side; title: string; body: string };
}

/**
 * Consumers request, providers decide, and both live with the result: the subscription lifecycle of
 * libs/domain, with capacity held atomically (the service row is locked while capacity is counted), the full
 * history kept in subscription_events, and every change audited and notified in its own transaction.
 *
 * Visibility: a subscription is visible to its consumer, its provider and its consortium's administrators;
 * anyone else is told it does not exist (404). A party that may see it but not take an action gets 403.
 */
@Injectable()
export class SubscriptionsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly notifications: NotificationsService,
  ) {}

  async list(actor: Actor, query: SubscriptionListQuery): Promise<Page<SubscriptionDto>> {
    const subscriptions = this.withParties(this.dataSource.manager);
    const own = actor.organisationId;
    const sideCondition = (role: Side | undefined) =>
      role === 'consumer'
        ? 's.consumer_organisation_id = :own'
        : role === 'provider'
          ? 's.provider_organisation_id = :own'
          : '(s.consumer_organisation_id = :own OR s.provider_organisation_id = :own)';
    if (query.consortiumId && administers(actor, query.consortiumId)) {
      // The consortium's administrators see all of it; `role` still narrows to their own organisation's side.
      subscriptions.where('s.consortium_id = :consortiumId', { consortiumId: query.consortiumId });
      if (query.role) subscriptions.andWhere(sideCondition(query.role), { own });
    } else {
      subscriptions.where(sideCondition(query.role), { own });
      if (query.consortiumId) {
        subscriptions.andWhere('s.consortium_id = :consortiumId', { consortiumId: query.consortiumId });
      }
    }
    if (query.status) subscriptions.andWhere('s.status = :status', { status: query.status });
    if (query.serviceId) subscriptions.andWhere('s.service_id = :serviceId', { serviceId: query.serviceId });
    return paginate(subscriptions, query, SUBSCRIPTION_SORT, toSubscriptionDto);
  }

  async get(actor: Actor, id: string): Promise<SubscriptionDetailDto> {
    await this.findVisible(this.dataSource.manager, actor, id);
    return this.detail(this.dataSource.manager, id);
  }

  async history(actor: Actor, id: string, query: HistoryQuery): Promise<Page<SubscriptionEventDto>> {
    await this.findVisible(this.dataSource.manager, actor, id);
    const events = this.dataSource
      .getRepository(SubscriptionEvent)
      .createQueryBuilder('e')
      .where('e.subscription_id = :id', { id });
    return paginate(events, query, HISTORY_SORT, (event) => ({
      id: event.id,
      event: event.event,
      fromStatus: event.fromStatus,
      toStatus: event.toStatus,
      details: event.details,
      actorLabel: event.actorLabel,
      occurredAt: event.occurredAt,
    }));
  }

  /** The caller's organisation asks for a published service of a consortium it is an active member of. */
  async request(actor: Actor, dto: CreateSubscriptionDto): Promise<SubscriptionDetailDto> {
    const today = ukToday();
    const earliest = addDays(today, -MAX_BACKDATED_START_DAYS);
    const latest = addMonths(today, MAX_START_AHEAD_MONTHS);
    if (dto.startDate < earliest || dto.startDate > latest) {
      throw invalid(`The start date must be between ${earliest} and ${latest}`, [
        {
          field: 'startDate',
          message: `startDate must be no more than ${MAX_BACKDATED_START_DAYS} days ago and no more than ${MAX_START_AHEAD_MONTHS} months ahead`,
        },
      ]);
    }
    return this.dataSource.transaction(async (manager) => {
      const service = await manager.findOne(Service, {
        where: { id: dto.serviceId },
        relations: { provider: true },
      });
      const ownService = service?.providerOrganisationId === actor.organisationId;
      if (
        !service ||
        !(isActiveMember(actor, service.consortiumId) || administers(actor, service.consortiumId)) ||
        (service.status === 'draft' && !ownService)
      ) {
        throw notFound('Service');
      }
      if (!isActiveMember(actor, service.consortiumId)) {
        throw forbidden("Only the consortium's active members may subscribe to its services");
      }
      assertCanSubscribe({
        providerId: service.providerOrganisationId,
        serviceStatus: service.status,
        consumerId: actor.organisationId,
      });
      const priceVersion = await manager.findOneBy(PriceVersion, {
        serviceId: service.id,
        version: service.currentPriceVersion,
      });
      if (!priceVersion)
        throw conflict('The service has no current price to agree to', 'service-without-price');
      const currency = priceVersion.currency as Currency;
      if (dto.baselineAnnualCost && dto.baselineAnnualCost.currency !== currency) {
        throw new DomainError(
          'invalid',
          'currency-mismatch',
          `The baseline must be in the service's currency, ${currency}`,
          { currency, baselineCurrency: dto.baselineAnnualCost.currency },
        );
      }
      if (
        await manager.exists(Subscription, {
          where: {
            serviceId: service.id,
            consumerOrganisationId: actor.organisationId,
            status: In(OPEN_STATUSES),
          },
        })
      ) {
        throw alreadyOpen();
      }
      let subscription: Subscription;
      try {
        subscription = await manager.save(
          manager.create(Subscription, {
            consortiumId: service.consortiumId,
            serviceId: service.id,
            consumerOrganisationId: actor.organisationId,
            providerOrganisationId: service.providerOrganisationId,
            priceVersionId: priceVersion.id,
            quantity: dto.quantity,
            startDate: dto.startDate,
            termMonths: dto.termMonths,
            noticePeriodMonths: dto.noticePeriodMonths,
            endDate: null,
            purchaseOrderReference: dto.purchaseOrderReference ?? null,
            costCentre: dto.costCentre ?? null,
            baselineAnnualCostMinor: dto.baselineAnnualCost?.amountMinor ?? null,
            currency,
            status: 'requested',
            statusReason: null,
            requestedByUserId: actor.kind === 'user' ? actor.id : null,
            decidedAt: null,
          }),
        );
      } catch (error) {
        // Two requests at once: the unique index lets one through.
        if (isUniqueViolation(error, OPEN_PER_CONSUMER_INDEX)) throw alreadyOpen();
        throw error;
      }
      await manager.insert(SubscriptionQuantity, {
        subscriptionId: subscription.id,
        quantity: dto.quantity,
        effectiveFrom: dto.startDate,
      });
      const consumer = await manager.findOneByOrFail(Organisation, { id: actor.organisationId });
      const parties = Object.assign(subscription, {
        service,
        consumer,
        provider: service.provider as Organisation,
      });
      await this.record(manager, actor, parties, 'subscription.requested', {
        event: 'requested',
        from: null,
        to: 'requested',
        details: {
          quantity: dto.quantity,
          startDate: dto.startDate,
          termMonths: dto.termMonths,
          noticePeriodMonths: dto.noticePeriodMonths,
          priceVersion: priceVersion.version,
          ...(dto.purchaseOrderReference ? { purchaseOrderReference: dto.purchaseOrderReference } : {}),
          ...(dto.costCentre ? { costCentre: dto.costCentre } : {}),
          ...(dto.baselineAnnualCost ? { baselineAnnualCost: dto.baselineAnnualCost } : {}),
        },
        notify: {
          side: 'provider',
          ...requestToApprove(consumer.name, service.title, { ...dto, priceVersion: priceVersion.version }),
        },
      });
      return this.detail(manager, subscription.id);
    });
  }

  /**
   * The provider approves. The service row is locked while capacity is counted, so concurrent approvals are
   * decided one at a time and never together exceed the service's capacity.
   */
  async approve(actor: Actor, id: string): Promise<SubscriptionDetailDto> {
    return this.dataSource.transaction(async (manager) => {
      const seen = await this.findVisible(manager, actor, id);
      this.assertParty(actor, seen, 'approve');
      const service = await this.lockService(manager, seen.serviceId);
      const subscription = await this.lockSubscription(manager, id);
      const to = subscriptionLifecycle.next(subscription.status, 'approve');
      // The service may have been suspended or retired since the request was made.
      assertCanSubscribe({
        providerId: service.providerOrganisationId,
        serviceStatus: service.status,
        consumerId: subscription.consumerOrganisationId,
      });
      const membership = await manager.findOneBy(Membership, {
        consortiumId: subscription.consortiumId,
        organisationId: subscription.consumerOrganisationId,
      });
      if (membership?.status !== 'active') {
        throw new DomainError(
          'conflict',
          'consumer-not-active-member',
          `${seen.consumer.name} is no longer an active member of the consortium`,
        );
      }
      await this.assertCapacity(
        manager,
        service,
        service.capacityUnit === 'subscribers' ? 1 : subscription.quantity,
      );
      await manager.update(Subscription, { id }, { status: to, statusReason: null, decidedAt: new Date() });
      await this.record(manager, actor, seen, 'subscription.approved', {
        event: 'approved',
        from: subscription.status,
        to,
        details: {},
        notify: {
          side: 'consumer',
          title: `${seen.provider.name} approved your subscription to ${seen.service.title}`,
          body: `Your subscription to ${seen.service.title} is active from ${formatDateForPeople(subscription.startDate)}.`,
        },
      });
      return this.detail(manager, id);
    });
  }

  async reject(actor: Actor, id: string, reason: string): Promise<SubscriptionDetailDto> {
    return this.transition(actor, id, 'reject', { reason, decided: true }, (s) => ({
      side: 'consumer',
      title: `${s.provider.name} turned down your request for ${s.service.title}`,
      body: `Reason: ${reason}`,
    }));
  }

  async cancel(actor: Actor, id: string, reason: string | undefined): Promise<SubscriptionDetailDto> {
    return this.transition(actor, id, 'cancel', { reason }, (s) => ({
      side: 'provider',
      title: `${s.consumer.name} withdrew its request for ${s.service.title}`,
      body: reason ? `Reason: ${reason}` : 'No reason was given.',
    }));
  }

  async suspend(actor: Actor, id: string, reason: string): Promise<SubscriptionDetailDto> {
    return this.transition(actor, id, 'suspend', { reason }, (s) => ({
      side: 'consumer',
      title: `${s.provider.name} suspended your subscription to ${s.service.title}`,
      body: `Reason: ${reason}`,
    }));
  }

  /** Back from suspension. A suspended subscription keeps its share of capacity, so none is counted here. */
  async resume(actor: Actor, id: string): Promise<SubscriptionDetailDto> {
    return this.transition(actor, id, 'reinstate', { reason: null }, (s) => ({
      side: 'consumer',
      title: `${s.provider.name} resumed your subscription to ${s.service.title}`,
      body: `Your subscription to ${s.service.title} is active again.`,
    }));
  }

  /** Either side gives notice; the end date is the later of the term's end and today plus the notice period. */
  async giveNotice(actor: Actor, id: string, reason: string | undefined): Promise<SubscriptionDetailDto> {
    return this.transition(
      actor,
      id,
      'give_notice',
      { reason, endDate: (s) => noticeEndDate(s, ukToday()) },
      (s, endDate) => {
        const by = sideOf(actor, s) === 'consumer' ? s.consumer.name : s.provider.name;
        return {
          side: sideOf(actor, s) === 'consumer' ? 'provider' : 'consumer',
          title: `${by} gave notice on ${s.service.title}`,
          body:
            `The subscription ends after ${formatDateForPeople(endDate as string)}.` +
            (reason ? ` Reason: ${reason}` : ''),
        };
      },
    );
  }

  /** Ends a subscription whose notice has run out: on or after its end date. */
  async end(actor: Actor, id: string): Promise<SubscriptionDetailDto> {
    return this.transition(
      actor,
      id,
      'end',
      {
        reason: undefined,
        guard: (s) => {
          const today = ukToday();
          if (s.endDate && today < s.endDate) {
            throw new DomainError(
              'conflict',
              'notice-not-run-out',
              `The notice runs until ${s.endDate}: the subscription can end on or after that day`,
              { endDate: s.endDate, today },
            );
          }
        },
      },
      (s) => ({
        side: sideOf(actor, s) === 'consumer' ? 'provider' : 'consumer',
        title: `The subscription of ${s.consumer.name} to ${s.service.title} has ended`,
        body: `Service ended after ${formatDateForPeople(s.endDate as string)}.`,
      }),
    );
  }

  /**
   * The consumer changes its quantity from a date on. Capacity counts a subscription's latest quantity, so an
   * increase is checked (under the service lock) and reserved when it is made, even if it takes effect later; a
   * decrease is always allowed.
   */
  async changeQuantity(actor: Actor, id: string, dto: ChangeQuantityDto): Promise<SubscriptionDetailDto> {
    const today = ukToday();
    if (dto.effectiveFrom < today) {
      throw invalid('A quantity change cannot take effect in the past', [
        { field: 'effectiveFrom', message: `effectiveFrom must be today (${today}) or later` },
      ]);
    }
    return this.dataSource.transaction(async (manager) => {
      const seen = await this.findVisible(manager, actor, id);
      if (sideOf(actor, seen) !== 'consumer') {
        throw forbidden('Only the consumer may change the quantity it takes');
      }
      const service = await this.lockService(manager, seen.serviceId);
      const subscription = await this.lockSubscription(manager, id);
      if (!SUBSCRIPTION_STATUSES_IN_FORCE.includes(subscription.status)) {
        throw new DomainError(
          'conflict',
          'subscription-not-in-force',
          `The quantity of a subscription that is ${subscription.status.replace('_', ' ')} cannot change`,
          { status: subscription.status },
        );
      }
      if (dto.effectiveFrom < subscription.startDate) {
        throw invalid('A quantity change cannot take effect before the subscription starts', [
          { field: 'effectiveFrom', message: `effectiveFrom must be on or after ${subscription.startDate}` },
        ]);
      }
      if (subscription.endDate && dto.effectiveFrom > subscription.endDate) {
        throw invalid('A quantity change cannot take effect after the subscription ends', [
          { field: 'effectiveFrom', message: `effectiveFrom must be on or before ${subscription.endDate}` },
        ]);
      }
      // "From this day on, this quantity": it supersedes any change already scheduled on or after that day.
      await manager
        .createQueryBuilder()
        .delete()
        .from(SubscriptionQuantity)
        .where('subscription_id = :id AND effective_from >= :from', { id, from: dto.effectiveFrom })
        .execute();
      await manager.insert(SubscriptionQuantity, {
        subscriptionId: id,
        quantity: dto.quantity,
        effectiveFrom: dto.effectiveFrom,
      });
      if (service.capacityUnit === 'units' && dto.quantity > subscription.quantity) {
        await this.assertCapacity(manager, service, dto.quantity - subscription.quantity);
      }
      await manager.update(Subscription, { id }, { quantity: dto.quantity });
      await this.record(manager, actor, seen, 'subscription.quantity_changed', {
        event: 'quantity_changed',
        from: subscription.status,
        to: subscription.status,
        details: { from: subscription.quantity, to: dto.quantity, effectiveFrom: dto.effectiveFrom },
        notify: {
          side: 'provider',
          title: `${seen.consumer.name} changed its quantity of ${seen.service.title}`,
          body: `From ${formatDateForPeople(dto.effectiveFrom)} the quantity is ${dto.quantity} (was ${subscription.quantity}).`,
        },
      });
      return this.detail(manager, id);
    });
  }

  /** The consumer moves to the service's current price version; until then it keeps the version it agreed to. */
  async acceptPrice(actor: Actor, id: string): Promise<SubscriptionDetailDto> {
    return this.dataSource.transaction(async (manager) => {
      const seen = await this.findVisible(manager, actor, id);
      if (sideOf(actor, seen) !== 'consumer') {
        throw forbidden('Only the consumer may accept a new price');
      }
      const subscription = await this.lockSubscription(manager, id);
      if (!OPEN_STATUSES.includes(subscription.status)) {
        throw new DomainError(
          'conflict',
          'subscription-closed',
          `A subscription that is ${subscription.status} cannot accept a new price`,
          { status: subscription.status },
        );
      }
      const service = await manager.findOneByOrFail(Service, { id: subscription.serviceId });
      const agreed = await manager.findOneByOrFail(PriceVersion, { id: subscription.priceVersionId });
      if (agreed.version >= service.currentPriceVersion) {
        throw new DomainError(
          'conflict',
          'already-on-current-price',
          `This subscription already has the service's current price (version ${agreed.version})`,
          { priceVersion: agreed.version },
        );
      }
      const current = await manager.findOneByOrFail(PriceVersion, {
        serviceId: service.id,
        version: service.currentPriceVersion,
      });
      await manager.update(Subscription, { id }, { priceVersionId: current.id });
      await this.record(manager, actor, seen, 'subscription.price_accepted', {
        event: 'price_accepted',
        from: subscription.status,
        to: subscription.status,
        details: { fromVersion: agreed.version, toVersion: current.version },
        notify: {
          side: 'provider',
          title: `${seen.consumer.name} accepted the new price of ${seen.service.title}`,
          body: `The subscription moves from price version ${agreed.version} to version ${current.version}.`,
        },
      });
      return this.detail(manager, id);
    });
  }

  /** A lifecycle action on a subscription's status: who may take it, whether the status allows it, what it records. */
  private async transition(
    actor: Actor,
    id: string,
    action: SubscriptionAction,
    options: {
      reason: string | null | undefined;
      decided?: boolean;
      endDate?: (s: Subscription) => IsoDate;
      guard?: (s: Subscription) => void;
    },
    message: (s: SubscriptionWithParties, endDate: IsoDate | null) => Change['notify'],
  ): Promise<SubscriptionDetailDto> {
    return this.dataSource.transaction(async (manager) => {
      const seen = await this.findVisible(manager, actor, id);
      this.assertParty(actor, seen, action);
      const subscription = await this.lockSubscription(manager, id);
      const to = subscriptionLifecycle.next(subscription.status, action);
      options.guard?.(subscription);
      const endDate = options.endDate ? options.endDate(subscription) : subscription.endDate;
      await manager.update(
        Subscription,
        { id },
        {
          status: to,
          ...(options.reason !== undefined ? { statusReason: options.reason } : {}),
          ...(options.decided ? { decidedAt: new Date() } : {}),
          ...(options.endDate ? { endDate } : {}),
        },
      );
      const event = EVENT_OF_ACTION[action];
      await this.record(manager, actor, { ...seen, endDate }, `subscription.${event}`, {
        event,
        from: subscription.status,
        to,
        details: {
          ...(options.reason ? { reason: options.reason } : {}),
          ...(options.endDate ? { endDate } : {}),
          by: sideOf(actor, seen),
        },
        notify: message({ ...seen, endDate }, endDate),
      });
      return this.detail(manager, id);
    });
  }

  /** The history event, the audit event and the other side's notification, in the change's transaction. */
  private async record(
    manager: EntityManager,
    actor: Actor,
    subscription: SubscriptionWithParties,
    action: string,
    change: Change,
  ): Promise<void> {
    await manager.save(
      manager.create(SubscriptionEvent, {
        subscriptionId: subscription.id,
        event: change.event,
        fromStatus: change.from,
        toStatus: change.to,
        details: change.details,
        actorLabel: actor.label,
      }),
    );
    await this.audit.record(manager, actor, {
      action,
      entityType: 'subscription',
      entityId: subscription.id,
      consortiumId: subscription.consortiumId,
      changes: {
        ...(change.from !== change.to ? { status: { from: change.from, to: change.to } } : {}),
        ...change.details,
      },
    });
    const kind = `subscription.${change.event}`;
    await this.notifications.notify(manager, {
      organisationId:
        change.notify.side === 'consumer'
          ? subscription.consumerOrganisationId
          : subscription.providerOrganisationId,
      consortiumId: subscription.consortiumId,
      kind,
      title: change.notify.title,
      body: change.notify.body,
      entityType: 'subscription',
      entityId: subscription.id,
      data: {
        subscriptionId: subscription.id,
        serviceId: subscription.serviceId,
        consumerOrganisationId: subscription.consumerOrganisationId,
        providerOrganisationId: subscription.providerOrganisationId,
        status: change.to,
        ...change.details,
      },
    });
  }

  /** The subscription if the caller is a party to it or administers its consortium; otherwise not found. */
  private async findVisible(
    manager: EntityManager,
    actor: Actor,
    id: string,
  ): Promise<SubscriptionWithParties> {
    const subscription = await manager.findOne(Subscription, {
      where: { id },
      relations: { service: true, consumer: true, provider: true },
    });
    if (
      !subscription ||
      !(
        subscription.consumerOrganisationId === actor.organisationId ||
        subscription.providerOrganisationId === actor.organisationId ||
        administers(actor, subscription.consortiumId)
      )
    ) {
      throw notFound('Subscription');
    }
    return subscription as SubscriptionWithParties;
  }

  private assertParty(actor: Actor, subscription: Subscription, action: SubscriptionAction): void {
    const party = SUBSCRIPTION_ACTION_PARTY[action];
    const side = sideOf(actor, subscription);
    if (side && (party === 'either' || party === side)) return;
    const what = action.replace(/_/g, ' ');
    throw forbidden(
      party === 'provider'
        ? `Only the provider may ${what} a subscription`
        : party === 'consumer'
          ? `Only the consumer may ${what} its subscription`
          : `Only the consumer or the provider may ${what} a subscription`,
    );
  }

  /** The service row, locked for the rest of the transaction: capacity decisions on a service queue behind it. */
  private async lockService(manager: EntityManager, serviceId: string): Promise<Service> {
    const service = await manager
      .getRepository(Service)
      .createQueryBuilder('svc')
      .setLock('pessimistic_write')
      .where('svc.id = :serviceId', { serviceId })
      .getOne();
    if (!service) throw notFound('Service');
    return service;
  }

  /** Always after the service when both are locked: one lock order, no deadlocks. */
  private async lockSubscription(manager: EntityManager, id: string): Promise<Subscription> {
    const subscription = await manager
      .getRepository(Subscription)
      .createQueryBuilder('s')
      .setLock('pessimistic_write')
      .where('s.id = :id', { id })
      .getOne();
    if (!subscription) throw notFound('Subscription');
    return subscription;
  }

  /**
   * Refuses (409 capacity-exhausted) when the subscriptions in force plus `needed` more would exceed the
   * service's capacity, counted as the catalogue counts it (capacityInUse). Call with the service row locked, so
   * concurrent approvals and increases are decided one at a time.
   */
  private async assertCapacity(manager: EntityManager, service: Service, needed: number): Promise<void> {
    if (service.capacityLimit === null) return;
    const inUse = (await capacityInUse(manager, [service.id])).get(service.id) ?? 0;
    if (exceedsCapacity(service.capacityLimit, inUse, needed)) {
      throw new DomainError(
        'conflict',
        'capacity-exhausted',
        `${service.title} has capacity for ${service.capacityLimit} ${service.capacityUnit}; ${inUse} are taken and this needs ${needed} more`,
        { capacityLimit: service.capacityLimit, capacityUnit: service.capacityUnit, inUse, needed },
      );
    }
  }

  private withParties(manager: EntityManager) {
    return manager
      .getRepository(Subscription)
      .createQueryBuilder('s')
      .innerJoinAndSelect('s.service', 'svc')
      .innerJoinAndSelect('s.consumer', 'consumer')
      .innerJoinAndSelect('s.provider', 'provider')
      .innerJoinAndSelect('s.priceVersion', 'pv');
  }

  private async detail(manager: EntityManager, id: string): Promise<SubscriptionDetailDto> {
    const subscription = await this.withParties(manager).where('s.id = :id', { id }).getOneOrFail();
    const quantities = await manager.find(SubscriptionQuantity, {
      where: { subscriptionId: id },
      order: { effectiveFrom: 'ASC' },
    });
    return {
      ...toSubscriptionDto(subscription),
      pricePlan: (subscription.priceVersion as PriceVersion).plan,
      quantities: quantities.map((q) => ({ quantity: q.quantity, effectiveFrom: q.effectiveFrom })),
      availableActions: subscriptionLifecycle.actionsFrom(subscription.status),
    };
  }
}

/** What the provider reads about a new request (also written by the demo seed for its pending request). */
export function requestToApprove(
  consumerName: string,
  serviceTitle: string,
  request: {
    quantity: number;
    startDate: IsoDate;
    termMonths: number;
    noticePeriodMonths: number;
    priceVersion: number;
  },
): { title: string; body: string } {
  return {
    title: `${consumerName} asks to subscribe to ${serviceTitle}`,
    body:
      `${consumerName} would like ${serviceTitle}: quantity ${request.quantity}, starting ` +
      `${formatDateForPeople(request.startDate)}, for ${request.termMonths} months with ` +
      `${request.noticePeriodMonths} months' notice, at price version ${request.priceVersion}. ` +
      'Approve or reject the request.',
  };
}

/** Which side of the subscription the caller's organisation is on, if either. */
function sideOf(actor: Actor, subscription: Subscription): Side | null {
  if (subscription.consumerOrganisationId === actor.organisationId) return 'consumer';
  if (subscription.providerOrganisationId === actor.organisationId) return 'provider';
  return null;
}

const alreadyOpen = () =>
  conflict(
    'Your organisation already has an open subscription or request for this service',
    'subscription-already-open',
  );

function isUniqueViolation(error: unknown, constraint: string): boolean {
  const driverError = (error as QueryFailedError & { driverError?: { code?: string; constraint?: string } })
    .driverError;
  return (
    error instanceof QueryFailedError &&
    driverError?.code === '23505' &&
    driverError.constraint === constraint
  );
}

export function toSubscriptionDto(subscription: Subscription): SubscriptionDto {
  const service = subscription.service as Service;
  return {
    id: subscription.id,
    consortiumId: subscription.consortiumId,
    status: subscription.status,
    statusReason: subscription.statusReason,
    serviceId: subscription.serviceId,
    serviceTitle: service.title,
    consumerOrganisationId: subscription.consumerOrganisationId,
    consumerOrganisationName: (subscription.consumer as Organisation).name,
    providerOrganisationId: subscription.providerOrganisationId,
    providerOrganisationName: (subscription.provider as Organisation).name,
    priceVersion: (subscription.priceVersion as PriceVersion).version,
    priceVersionId: subscription.priceVersionId,
    servicePriceVersion: service.currentPriceVersion,
    quantity: subscription.quantity,
    startDate: subscription.startDate,
    termMonths: subscription.termMonths,
    termEndDate: termEndDate(subscription.startDate, subscription.termMonths),
    noticePeriodMonths: subscription.noticePeriodMonths,
    endDate: subscription.endDate,
    purchaseOrderReference: subscription.purchaseOrderReference,
    costCentre: subscription.costCentre,
    baselineAnnualCost:
      subscription.baselineAnnualCostMinor === null
        ? null
        : { amountMinor: subscription.baselineAnnualCostMinor, currency: subscription.currency as Currency },
    currency: subscription.currency as Currency,
    decidedAt: subscription.decidedAt,
    createdAt: subscription.createdAt,
    updatedAt: subscription.updatedAt,
  };
}
