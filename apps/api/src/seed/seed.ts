import { hashPassword } from '@consortium/auth';
import {
  addDays,
  addMonths,
  assertValidPricePlan,
  exceedsCapacity,
  type IsoDate,
  isoDate,
  isoDateParts,
  type SubscriptionStatus,
} from '@consortium/domain';
import { INestApplicationContext } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../modules/audit/audit.service';
import { ComplianceAttestation } from '../modules/catalogue/compliance-attestation.entity';
import { ukToday } from '../modules/catalogue/compliance-status';
import { PriceVersion } from '../modules/catalogue/price-version.entity';
import { Service } from '../modules/catalogue/service.entity';
import { Consortium } from '../modules/consortia/consortium.entity';
import { ConsortiumAdmin } from '../modules/consortia/consortium-admin.entity';
import { Membership } from '../modules/consortia/membership.entity';
import { ComplianceExpiryService } from '../modules/notifications/compliance-expiry.service';
import { NotificationsService } from '../modules/notifications/notifications.service';
import { Organisation } from '../modules/organisations/organisation.entity';
import { SubscriptionEvent } from '../modules/subscriptions/subscription-event.entity';
import { SubscriptionQuantity } from '../modules/subscriptions/subscription-quantity.entity';
import { Subscription } from '../modules/subscriptions/subscription.entity';
import { noticeEndDate } from '../modules/subscriptions/subscription-dates';
import { requestToApprove } from '../modules/subscriptions/subscriptions.service';
import { User } from '../modules/users/user.entity';
import { type DemoHistoryResult, seedDemoHistory } from './demo-history';
import {
  DEMO_CONSORTIUM,
  DEMO_CONSORTIUM_ADMIN,
  DEMO_ORGANISATIONS,
  DEMO_PASSWORD,
  DEMO_ROLE_USERS,
  DEMO_SERVICES,
  DEMO_SUBSCRIPTIONS,
  type DemoOrganisation,
  type DemoService,
  type DemoSubscription,
} from './demo-data';

export interface SeedResult {
  consortiumId: string;
  organisations: number;
  users: number;
  services: number;
  subscriptions: number;
}

/** Who acts for an organisation in the demo's history: its CIO (service manager). */
interface DemoMember {
  organisation: Organisation;
  demo: DemoOrganisation;
  cio: User;
}

/**
 * The whole demo: the consortium, its members, catalogue and subscriptions (one transaction), then its
 * cross-charging history through the real services (two settled quarters and the current one, each step its own
 * transaction; see demo-history.ts).
 */
export async function seedDemo(
  app: INestApplicationContext,
  log: (m: string) => void,
): Promise<SeedResult & { history: DemoHistoryResult }> {
  const base = await seedDemoData(app.get(DataSource), app.get(AuditService), log);
  let history: DemoHistoryResult;
  try {
    history = await seedDemoHistory(app, base.consortiumId, log);
  } catch (error) {
    // The consortium is already committed, so a restart would not seed again: say how to start afresh.
    log(
      'The demo consortium was loaded but its cross-charging history failed; empty the database (or DATA_DIR) ' +
        'to load the demo again',
    );
    throw error;
  }
  return { ...base, history };
}

/** Builds the demo consortium in one transaction, so a failed seed leaves nothing behind. */
export async function seedDemoData(
  dataSource: DataSource,
  audit: AuditService,
  log: (m: string) => void,
): Promise<SeedResult> {
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  return dataSource.transaction(async (manager) => {
    const consortium = await manager.save(
      manager.create(Consortium, {
        ...DEMO_CONSORTIUM,
        currency: 'GBP',
        rules: { acceptsJoinRequests: true, paymentTermsDays: 30 },
      }),
    );
    const organisations = new Map<string, Organisation>();
    const members = new Map<string, DemoMember>();
    let users = 0;
    for (const [index, demo] of DEMO_ORGANISATIONS.entries()) {
      const organisation = await manager.save(
        manager.create(Organisation, {
          name: demo.name,
          type: demo.type,
          region: demo.region,
          contactName: demo.contactName,
          contactEmail: `ict@${demo.domain}`,
          contactPhone: null,
        }),
      );
      organisations.set(demo.key, organisation);
      await manager.save(
        manager.create(Membership, {
          consortiumId: consortium.id,
          organisationId: organisation.id,
          status: demo.membership,
          note: null,
          joinedAt: demo.membership === 'active' ? new Date() : null,
          leftAt: null,
        }),
      );
      for (const roleUser of DEMO_ROLE_USERS) {
        const user = await insertUser(
          manager,
          organisation.id,
          `${roleUser.localPart}@${demo.domain}`,
          `${demo.name} ${roleUser.name}`,
          roleUser.roles,
          passwordHash,
        );
        if (roleUser.localPart === 'cio') members.set(demo.key, { organisation, demo, cio: user });
        users += 1;
      }
      log(`Seeded ${index + 1}/${DEMO_ORGANISATIONS.length} organisations (${demo.name})`);
    }
    const adminOrganisation = organisations.get(DEMO_CONSORTIUM_ADMIN.organisation) as Organisation;
    const admin = await insertUser(
      manager,
      adminOrganisation.id,
      DEMO_CONSORTIUM_ADMIN.email,
      DEMO_CONSORTIUM_ADMIN.name,
      ['viewer'],
      passwordHash,
    );
    await manager.insert(ConsortiumAdmin, { consortiumId: consortium.id, userId: admin.id });
    users += 1;

    const today = ukToday();
    const notifications = new NotificationsService(dataSource, audit);
    const services = await seedServices(manager, consortium, members, today, log);
    const subscriptions = await seedSubscriptions(manager, notifications, services, members, today, log);
    const expiry = await new ComplianceExpiryService(dataSource, notifications, audit).notifyExpiringWithin(
      manager,
      'system',
      consortium.id,
      today,
    );
    log(`Told providers about ${expiry.expiring} expiring and ${expiry.expired} expired certificates`);

    const counts = { organisations: organisations.size, users, services: services.size, subscriptions };
    await audit.record(manager, 'system', {
      action: 'seed.demo_data',
      entityType: 'consortium',
      entityId: consortium.id,
      consortiumId: consortium.id,
      changes: { ...counts },
    });
    return { consortiumId: consortium.id, ...counts };
  });
}

interface SeededService {
  demo: DemoService;
  service: Service;
  /** Price versions, oldest first. */
  versions: PriceVersion[];
}

/** Each member's services, published, with every price version and certificate, inserted as the API stores them. */
async function seedServices(
  manager: EntityManager,
  consortium: Consortium,
  members: Map<string, DemoMember>,
  today: IsoDate,
  log: (m: string) => void,
): Promise<Map<string, SeededService>> {
  const seeded = new Map<string, SeededService>();
  for (const [index, demo] of DEMO_SERVICES.entries()) {
    const provider = memberOf(members, demo.provider);
    const service = await manager.save(
      manager.create(Service, {
        consortiumId: consortium.id,
        providerOrganisationId: provider.organisation.id,
        category: demo.category,
        title: demo.title,
        summary: demo.summary,
        description: demo.description,
        serviceLevel: demo.serviceLevel,
        capacityLimit: demo.capacityLimit,
        capacityUnit: demo.capacityUnit,
        vatTreatment: demo.vatTreatment,
        contacts: [
          {
            name: demo.contact.name,
            role: demo.contact.role,
            email: `${demo.contact.localPart}@${provider.demo.domain}`,
          },
        ],
        status: 'published',
        currentPriceVersion: demo.prices.length,
        publishedAt: new Date(),
      }),
    );
    const versions: PriceVersion[] = [];
    for (const [v, plan] of demo.prices.entries()) {
      const checked = assertValidPricePlan(plan);
      versions.push(
        await manager.save(
          manager.create(PriceVersion, {
            serviceId: service.id,
            version: v + 1,
            plan: { ...checked } as Record<string, unknown>,
            currency: checked.currency,
            createdByUserId: provider.cio.id,
          }),
        ),
      );
    }
    for (const certificate of demo.certificates) {
      const expiresOn = addDays(today, certificate.expiresInDays);
      await manager.save(
        manager.create(ComplianceAttestation, {
          serviceId: service.id,
          kind: certificate.kind,
          certificateReference: certificate.reference,
          // ISO 27001 certificates run for three years; PSN and Cyber Essentials for one.
          issuedOn: addMonths(expiresOn, certificate.kind === 'iso_27001' ? -36 : -12),
          expiresOn,
          required: true,
        }),
      );
    }
    seeded.set(demo.key, { demo, service, versions });
    log(
      `Seeded ${index + 1}/${DEMO_SERVICES.length} services (${demo.title}, ${provider.organisation.name})`,
    );
  }
  return seeded;
}

/**
 * Subscriptions with the history they would have had through the API: requested by the consumer's CIO, approved
 * by the provider's, then any quantity change, suspension or notice. The pending request notifies its provider.
 */
async function seedSubscriptions(
  manager: EntityManager,
  notifications: NotificationsService,
  services: Map<string, SeededService>,
  members: Map<string, DemoMember>,
  today: IsoDate,
  log: (m: string) => void,
): Promise<number> {
  const [year, month] = isoDateParts(today);
  const firstOfThisMonth = isoDate(year, month, 1);
  assertWithinCapacity(services);
  for (const [index, demo] of DEMO_SUBSCRIPTIONS.entries()) {
    const { service, versions, demo: demoService } = services.get(demo.service) as SeededService;
    const consumer = memberOf(members, demo.consumer);
    const provider = memberOf(members, demoService.provider);
    const version = versions[(demo.priceVersion ?? versions.length) - 1];
    const startDate = addMonths(firstOfThisMonth, -demo.startMonthsAgo);
    const terms = { startDate, termMonths: demo.termMonths, noticePeriodMonths: demo.noticePeriodMonths };
    const noticeGivenOn = addDays(today, -14);
    const subscription = await manager.save(
      manager.create(Subscription, {
        consortiumId: service.consortiumId,
        serviceId: service.id,
        consumerOrganisationId: consumer.organisation.id,
        providerOrganisationId: provider.organisation.id,
        priceVersionId: version.id,
        quantity: demo.quantity,
        ...terms,
        endDate: demo.status === 'notice_given' ? noticeEndDate(terms, noticeGivenOn) : null,
        purchaseOrderReference: demo.purchaseOrderReference ?? null,
        costCentre: demo.costCentre ?? null,
        baselineAnnualCostMinor: demo.baselineAnnualCostPence,
        currency: version.currency,
        status: demo.status,
        statusReason: demo.reason ?? null,
        requestedByUserId: consumer.cio.id,
        decidedAt: demo.status === 'requested' ? null : new Date(),
      }),
    );
    const quantities = demo.initialQuantity
      ? [
          { quantity: demo.initialQuantity.quantity, effectiveFrom: startDate },
          {
            quantity: demo.quantity,
            effectiveFrom: addMonths(startDate, demo.initialQuantity.changedAfterMonths),
          },
        ]
      : [{ quantity: demo.quantity, effectiveFrom: startDate }];
    for (const row of quantities) {
      await manager.insert(SubscriptionQuantity, { subscriptionId: subscription.id, ...row });
    }
    for (const event of historyOf(
      demo,
      consumer,
      provider,
      version.version,
      quantities,
      subscription.endDate,
    )) {
      await manager.save(manager.create(SubscriptionEvent, { subscriptionId: subscription.id, ...event }));
    }
    if (demo.status === 'requested') {
      await notifications.notify(manager, {
        organisationId: provider.organisation.id,
        consortiumId: service.consortiumId,
        kind: 'subscription.requested',
        ...requestToApprove(consumer.organisation.name, service.title, {
          ...terms,
          quantity: demo.quantity,
          priceVersion: version.version,
        }),
        entityType: 'subscription',
        entityId: subscription.id,
      });
    }
    log(
      `Seeded ${index + 1}/${DEMO_SUBSCRIPTIONS.length} subscriptions (${consumer.organisation.name} → ${service.title})`,
    );
  }
  return DEMO_SUBSCRIPTIONS.length;
}

function historyOf(
  demo: DemoSubscription,
  consumer: DemoMember,
  provider: DemoMember,
  priceVersion: number,
  quantities: { quantity: number; effectiveFrom: IsoDate }[],
  endDate: IsoDate | null,
): Pick<SubscriptionEvent, 'event' | 'fromStatus' | 'toStatus' | 'details' | 'actorLabel'>[] {
  const step = (
    event: string,
    from: SubscriptionStatus | null,
    to: SubscriptionStatus,
    by: DemoMember,
    details: Record<string, unknown> = {},
  ) => ({ event, fromStatus: from, toStatus: to, details, actorLabel: by.cio.email });
  const events = [
    step('requested', null, 'requested', consumer, {
      quantity: quantities[0].quantity,
      startDate: quantities[0].effectiveFrom,
      termMonths: demo.termMonths,
      noticePeriodMonths: demo.noticePeriodMonths,
      priceVersion,
    }),
  ];
  if (demo.status === 'requested') return events;
  events.push(step('approved', 'requested', 'active', provider));
  for (const change of quantities.slice(1)) {
    events.push(
      step('quantity_changed', 'active', 'active', consumer, {
        from: quantities[0].quantity,
        to: change.quantity,
        effectiveFrom: change.effectiveFrom,
      }),
    );
  }
  if (demo.status === 'suspended') {
    events.push(step('suspended', 'active', 'suspended', provider, { reason: demo.reason, by: 'provider' }));
  }
  if (demo.status === 'notice_given') {
    events.push(
      step('notice_given', 'active', 'notice_given', consumer, {
        reason: demo.reason,
        endDate,
        by: 'consumer',
      }),
    );
  }
  return events;
}

/** The demo must obey the rules the API enforces: no service takes more than its capacity. */
function assertWithinCapacity(services: Map<string, SeededService>): void {
  for (const { demo, service } of services.values()) {
    let inUse = 0;
    for (const subscription of DEMO_SUBSCRIPTIONS) {
      if (subscription.service !== demo.key || subscription.status === 'requested') continue;
      const needed = demo.capacityUnit === 'subscribers' ? 1 : subscription.quantity;
      if (exceedsCapacity(service.capacityLimit, inUse, needed)) {
        throw new Error(`Demo data takes ${service.title} past its capacity`);
      }
      inUse += needed;
    }
  }
}

function memberOf(members: Map<string, DemoMember>, key: string): DemoMember {
  const member = members.get(key);
  if (!member) throw new Error(`Demo data names an unknown organisation: ${key}`);
  return member;
}

async function insertUser(
  manager: EntityManager,
  organisationId: string,
  email: string,
  name: string,
  roles: User['roles'],
  passwordHash: string,
): Promise<User> {
  return manager.save(
    manager.create(User, {
      organisationId,
      email,
      name,
      roles,
      passwordHash,
      isSuperadmin: false,
      status: 'active',
    }),
  );
}

/** Seeds the demo consortium when the database has no organisations yet; returns whether it did. */
export async function seedIfEmpty(app: INestApplicationContext, log: (m: string) => void): Promise<boolean> {
  const dataSource = app.get(DataSource);
  if ((await dataSource.getRepository(Organisation).count()) > 0) return false;
  log('Empty database: loading the demo consortium');
  const result = await seedDemo(app, log);
  log(
    `Demo data ready: ${result.organisations} organisations, ${result.users} users, ` +
      `${result.services} services, ${result.subscriptions} subscriptions, ` +
      `${result.history.crossCharges} cross-charges over ${result.history.periods.join(', ')}`,
  );
  return true;
}

export function printWelcome(port: number, seeded: boolean, demo = true, adminUi = true): void {
  const base = `http://localhost:${port}`;
  const logins = demo
    ? [
        `Demo logins (password for all: ${DEMO_PASSWORD})${seeded ? ', just loaded' : ''}:`,
        `  consortium administrator   ${DEMO_CONSORTIUM_ADMIN.email}`,
        '  organisation administrator admin@norfolk.gov.uk   (any council: admin@kent.gov.uk, admin@essex.gov.uk…)',
        '  CIO / service manager      cio@norfolk.gov.uk',
        '  finance                    finance@kent.gov.uk',
        '  viewer                     viewer@suffolk.gov.uk',
      ]
    : ['Demo data is off (SEED_DEMO_DATA=false, or NODE_ENV=production without SEED_DEMO_DATA=true).'];
  const lines = [
    '',
    'Consortium shared-services marketplace is running',
    adminUi
      ? `  Admin UI:     ${base}/`
      : '  Admin UI:     not served (ADMIN_UI_DIR is empty or holds no build)',
    `  API:          ${base}/api/v1`,
    `  API docs:     ${base}/api/docs`,
    `  Health:       ${base}/api/v1/health/ready`,
    `  Metrics:      ${base}/metrics`,
    '',
    ...logins,
    '',
    'Press Ctrl-C to stop.',
    '',
  ];
  console.log(lines.join('\n'));
}
