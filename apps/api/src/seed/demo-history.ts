import { ACTOR_DIRECTORY, type Actor, type ActorDirectory } from '@consortium/auth';
import { addMonths, type BillingPeriod, billingPeriodFor, type IsoDate } from '@consortium/domain';
import type { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditService } from '../modules/audit/audit.service';
import { BillingPeriodsService } from '../modules/billing-periods/billing-periods.service';
import { ukToday } from '../modules/catalogue/compliance-status';
import { ChargeRunComputation } from '../modules/charging/charge-run.computation';
import { ChargeRun } from '../modules/charging/charge-run.entity';
import { CrossChargesService } from '../modules/charging/cross-charges.service';
import { DisputesService } from '../modules/charging/disputes.service';
import { SettlementService } from '../modules/settlement/settlement.service';
import { UsageService } from '../modules/usage/usage.service';
import { User } from '../modules/users/user.entity';
import {
  DEMO_CONSORTIUM_ADMIN,
  DEMO_CURRENT_DISPUTE,
  DEMO_ORGANISATIONS,
  DEMO_SETTLED_DISPUTE,
  DEMO_USAGE,
} from './demo-data';

export interface DemoHistoryResult {
  /** Keys of the periods seeded, oldest first: two settled, then the open one. */
  periods: string[];
  crossCharges: number;
  settlementPayments: number;
}

interface ChargeRow {
  id: string;
  reference: string;
  providerId: string;
  consumerId: string;
  grossMinor: string;
}

/**
 * The consortium's cross-charging history, driven through the real services so that every figure is one the
 * product computed itself: for each of the two previous quarters usage, a charge run, issue by each provider's
 * finance officer, approval by each consumer's (one line disputed and settled by a credit note), close by the
 * consortium administrator and every settlement payment recorded by its payer; for the current quarter usage so
 * far, a charge run and issue, one charge approved and one line disputed, still open. Every step is its own
 * transaction (the services open them), in the order the ledger requires: nothing posts into a period once it
 * has begun closing. Periods are relative to today, so the demo is true whenever it is loaded.
 */
export async function seedDemoHistory(
  app: INestApplicationContext,
  consortiumId: string,
  log: (m: string) => void,
  today: IsoDate = ukToday(),
): Promise<DemoHistoryResult> {
  const dataSource = app.get(DataSource);
  const directory = app.get<ActorDirectory>(ACTOR_DIRECTORY, { strict: false });
  const periods = app.get(BillingPeriodsService, { strict: false });
  const usage = app.get(UsageService, { strict: false });
  const computation = app.get(ChargeRunComputation, { strict: false });
  const crossCharges = app.get(CrossChargesService, { strict: false });
  const disputes = app.get(DisputesService, { strict: false });
  const settlement = app.get(SettlementService, { strict: false });
  const audit = app.get(AuditService, { strict: false });

  const actors = new Map<string, Actor>();
  const actorFor = async (email: string): Promise<Actor> => {
    let actor = actors.get(email);
    if (!actor) {
      const user = await dataSource.getRepository(User).findOneByOrFail({ email });
      const found = await directory.actorForUser(user.id);
      if (!found) throw new Error(`Demo user ${email} cannot act`);
      actor = { ...found, requestId: 'demo-seed' };
      actors.set(email, actor);
    }
    return actor;
  };
  const organisations = (await dataSource.query(
    `SELECT o.id, o.contact_email AS "contactEmail" FROM organisations o
       JOIN consortium_memberships m ON m.organisation_id = o.id WHERE m.consortium_id = $1`,
    [consortiumId],
  )) as { id: string; contactEmail: string }[];
  const domainOf = new Map(organisations.map((o) => [o.id, o.contactEmail.split('@')[1]]));
  const orgId = (key: string): string => {
    const demo = DEMO_ORGANISATIONS.find((o) => o.key === key);
    const found = organisations.find((o) => demo && o.contactEmail === `ict@${demo.domain}`);
    if (!found) throw new Error(`Demo data names an unknown organisation: ${key}`);
    return found.id;
  };
  const finance = (organisationId: string) => actorFor(`finance@${domainOf.get(organisationId)}`);
  const cio = (organisationId: string) => actorFor(`cio@${domainOf.get(organisationId)}`);
  const admin = await actorFor(DEMO_CONSORTIUM_ADMIN.email);

  // Two quarters back, one back, and the one containing today.
  const quarters = [-6, -3, 0].map((months) => billingPeriodFor(addMonths(today, months), 'quarterly'));
  const result: DemoHistoryResult = { periods: [], crossCharges: 0, settlementPayments: 0 };
  for (const [index, quarter] of quarters.entries()) {
    const current = index === quarters.length - 1;
    const period = await dataSource.transaction((manager) =>
      periods.ensurePeriodFor(manager, consortiumId, quarter.startDate, admin),
    );
    const events = await recordUsage(dataSource, usage, cio, consortiumId, quarter, index, orgId);

    // The charge run, as ChargeRunsService.start records it, computed here rather than by the background job.
    const run = await dataSource.transaction(async (manager) => {
      const created = await manager.save(
        manager.create(ChargeRun, {
          consortiumId,
          billingPeriodId: period.id,
          status: 'queued',
          requestedByLabel: admin.label,
          error: null,
          startedAt: null,
          finishedAt: null,
        }),
      );
      await audit.record(manager, admin, {
        action: 'charge_run.started',
        entityType: 'charge_run',
        entityId: created.id,
        consortiumId,
        changes: { billingPeriodId: period.id, periodKey: period.key },
      });
      return created;
    });
    await computation.execute(run.id);
    const finished = await dataSource.getRepository(ChargeRun).findOneByOrFail({ id: run.id });
    if (finished.status !== 'completed') {
      throw new Error(`The demo charge run for ${period.key} ${finished.status}: ${finished.error}`);
    }

    const providers = (await dataSource.query(
      `SELECT DISTINCT provider_organisation_id AS id FROM cross_charges
        WHERE billing_period_id = $1 AND status = 'draft' ORDER BY 1`,
      [period.id],
    )) as { id: string }[];
    for (const provider of providers) {
      await crossCharges.issueForPeriod(await finance(provider.id), period.id);
    }
    const charges = (await dataSource.query(
      `SELECT id, reference, provider_organisation_id AS "providerId", consumer_organisation_id AS "consumerId",
              gross_minor::text AS "grossMinor"
         FROM cross_charges WHERE billing_period_id = $1 ORDER BY reference`,
      [period.id],
    )) as ChargeRow[];
    result.crossCharges += charges.length;
    result.periods.push(period.key);

    if (current) {
      const disputed = await disputeLine(crossCharges, finance, charges, DEMO_CURRENT_DISPUTE, orgId);
      const approvable = charges.find(
        (c) => c.id !== disputed.chargeId && BigInt(c.grossMinor) > 0n && c.consumerId === orgId('kent'),
      );
      if (approvable) await crossCharges.approve(await finance(approvable.consumerId), approvable.id);
      log(
        `Seeded quarter ${period.key} (open): ${charges.length} cross-charges issued from ${events} usage events, ` +
          `${approvable ? 1 : 0} approved, 1 line disputed and awaiting the provider`,
      );
      continue;
    }

    // The earlier of the two settled quarters had a dispute the provider accepted with a corrected amount.
    if (index === 0) {
      const raised = await disputeLine(crossCharges, finance, charges, DEMO_SETTLED_DISPUTE, orgId);
      await disputes.accept(await finance(raised.providerId), raised.disputeId, {
        reason: DEMO_SETTLED_DISPUTE.acceptance,
        correctedNetMinor: (
          (BigInt(raised.netMinor) * BigInt(DEMO_SETTLED_DISPUTE.correctedPercent)) /
          100n
        ).toString(),
      });
    }
    for (const charge of charges) {
      await crossCharges.approve(await finance(charge.consumerId), charge.id);
    }
    const closed = await settlement.close(admin, period.id);
    for (const payment of closed.payments) {
      await settlement.recordPayment(
        await finance(payment.payerOrganisationId),
        payment.id as string,
        `BACS-${period.key}-${String(payment.position).padStart(2, '0')}`,
      );
    }
    result.settlementPayments += closed.payments.length;
    log(
      `Seeded quarter ${period.key}: ${charges.length} cross-charges issued and approved from ${events} usage ` +
        `events, closed and settled by ${closed.payments.length} settlement payments recorded`,
    );
  }
  return result;
}

/** Each metered subscription's usage for the quarter, reported monthly by the provider's CIO (never in the future). */
async function recordUsage(
  dataSource: DataSource,
  usage: UsageService,
  cio: (organisationId: string) => Promise<Actor>,
  consortiumId: string,
  quarter: BillingPeriod,
  index: number,
  orgId: (key: string) => string,
): Promise<number> {
  let accepted = 0;
  const now = Date.now();
  for (const demo of DEMO_USAGE) {
    const [subscription] = (await dataSource.query(
      `SELECT s.id, s.provider_organisation_id AS "providerId", s.start_date::text AS "startDate"
         FROM subscriptions s JOIN services sv ON sv.id = s.service_id
        WHERE s.consortium_id = $1 AND sv.title = $2 AND s.consumer_organisation_id = $3`,
      [consortiumId, demo.serviceTitle, orgId(demo.consumer)],
    )) as { id: string; providerId: string; startDate: string }[];
    if (!subscription) throw new Error(`Demo usage names no subscription: ${demo.serviceTitle}`);
    const months = demo.perQuarter[index];
    const events = months
      .map((quantity, month) => ({
        eventId: `demo-${subscription.id.slice(0, 8)}-${quarter.key}-${month + 1}`,
        subscriptionId: subscription.id,
        metric: demo.metric,
        quantity,
        // Reported on the first of each month of the quarter, for the month before it.
        occurredAt: `${addMonths(quarter.startDate, month)}T00:30:00Z`,
      }))
      .filter((e) => Date.parse(e.occurredAt) <= now && e.occurredAt.slice(0, 10) >= subscription.startDate);
    if (events.length === 0) continue;
    const batch = await usage.ingest(await cio(subscription.providerId), events);
    if (batch.rejected > 0) {
      const reasons = batch.results.filter((r) => r.status === 'rejected').map((r) => r.reason);
      throw new Error(`Demo usage rejected: ${reasons.join('; ')}`);
    }
    accepted += batch.accepted;
  }
  return accepted;
}

/** The consumer's finance officer disputes the named line of the named provider's charge to it. */
async function disputeLine(
  crossCharges: CrossChargesService,
  finance: (organisationId: string) => Promise<Actor>,
  charges: ChargeRow[],
  demo: { provider: string; consumer: string; serviceTitle: string; reason: string },
  orgId: (key: string) => string,
): Promise<{ chargeId: string; providerId: string; disputeId: string; netMinor: string }> {
  const charge = charges.find(
    (c) => c.providerId === orgId(demo.provider) && c.consumerId === orgId(demo.consumer),
  );
  if (!charge) throw new Error(`The demo has no charge from ${demo.provider} to ${demo.consumer}`);
  const actor = await finance(charge.consumerId);
  const detail = await crossCharges.get(actor, charge.id);
  const line = detail.lines.find(
    (l) => l.serviceTitle === demo.serviceTitle && BigInt(l.net.amountMinor) > 0n,
  );
  if (!line) throw new Error(`The demo charge ${charge.reference} has no line for ${demo.serviceTitle}`);
  const dispute = await crossCharges.dispute(actor, charge.id, line.id, { reason: demo.reason });
  return {
    chargeId: charge.id,
    providerId: charge.providerId,
    disputeId: dispute.id,
    netMinor: String(line.net.amountMinor),
  };
}
