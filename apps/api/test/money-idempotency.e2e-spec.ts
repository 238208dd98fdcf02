import { randomBytes, randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import { Organisation } from '../src/modules/organisations/organisation.entity';
import {
  aBillingPeriod,
  aConsortiumWithMembers,
  aDatedSubscription,
  aDraftCrossCharge,
  aMembership,
  anApiKey,
  anIssuedChargeBetweenMembers,
  anOrganisation,
  aPostedCharge,
  aService,
  aUser,
  bearerFor,
  makeConsortiumAdmin,
} from './support/builders';
import { routesOf } from './support/routes';
import { createTestApp, type TestApp } from './support/test-app';

type Headers = Record<string, string>;

/** One money-moving request, ready to send, and who else might send the same Idempotency-Key. */
interface Scene {
  path: string;
  body: object;
  caller: Headers;
  /** Another user or key of the caller's organisation. */
  sameOrganisationCaller: Headers;
  /** Someone of another organisation who takes part in the same consortium (often the other party). */
  otherOrganisationCaller: Headers;
  consortiumId: string;
}

/**
 * Every write that moves money or changes what is owed: posting to the ledger, cross-charges and their disputes,
 * credit notes, settlement, charge runs and usage. Each must honour an Idempotency-Key.
 */
const MONEY_MOVING_WRITES = [
  'POST /api/v1/billing-periods/{id}/charge-runs',
  'POST /api/v1/charge-runs/{id}/resume',
  'POST /api/v1/billing-periods/{id}/close',
  'POST /api/v1/billing-periods/{id}/issue-charges',
  'POST /api/v1/settlement-payments/{id}/record',
  'POST /api/v1/cross-charges/{id}/issue',
  'POST /api/v1/cross-charges/{id}/approve',
  'POST /api/v1/cross-charges/{id}/lines/{lineId}/dispute',
  'POST /api/v1/disputes/{id}/accept',
  'POST /api/v1/disputes/{id}/reject',
  'POST /api/v1/disputes/{id}/escalate',
  'POST /api/v1/disputes/{id}/uphold',
  'POST /api/v1/disputes/{id}/dismiss',
  'POST /api/v1/disputes/{id}/withdraw',
  'POST /api/v1/usage-events',
  'POST /api/v1/usage-events/void',
] as const;

const METERED = {
  model: 'metered',
  currency: 'GBP',
  metric: 'storage_gb',
  unitPrice: '0.10',
  includedPerPeriod: '100',
};
const REASON = { reason: 'The second site was closed on 14 October.' };

describe('Idempotency-Key on every money-moving write', () => {
  let test: TestApp;
  beforeAll(async () => {
    test = await createTestApp();
  });
  afterAll(() => test.close());

  const send = (scene: Scene, auth: Headers, key: string, body: object = scene.body) =>
    test.http().post(scene.path).set(auth).set('Idempotency-Key', key).send(body);

  /** What a consortium's writes leave behind: audit events, journal entries, credit notes, usage and runs. */
  async function footprint(consortiumId: string) {
    const [row] = await test.dataSource.query(
      `SELECT (SELECT count(*) FROM audit_events
                WHERE consortium_id = $1
                   OR organisation_id IN (SELECT organisation_id FROM consortium_memberships WHERE consortium_id = $1))::int AS audit,
              (SELECT count(*) FROM journal_entries WHERE consortium_id = $1)::int AS journal,
              (SELECT count(*) FROM credit_notes n JOIN billing_periods p ON p.id = n.billing_period_id
                WHERE p.consortium_id = $1)::int AS "creditNotes",
              (SELECT count(*) FROM charge_runs WHERE consortium_id = $1)::int AS "chargeRuns",
              (SELECT count(*) FROM usage_events u JOIN billing_periods p ON p.id = u.billing_period_id
                WHERE p.consortium_id = $1)::int AS usage`,
      [consortiumId],
    );
    return row as Record<string, number>;
  }

  /** A period with posted trade between three members, and the consortium admin to close it. */
  async function aPeriodToClose() {
    const world = await aConsortiumWithMembers(test.dataSource);
    const third = await anOrganisation(test.dataSource);
    await aMembership(test.dataSource, world.consortium, third);
    const period = await aBillingPeriod(test, world.consortium, '2026-10-01');
    for (const [consumer, amountMinor] of [
      [world.other.id, 40_000],
      [third.id, 25_000],
    ] as const) {
      await aPostedCharge(test, {
        consortiumId: world.consortium.id,
        billingPeriodId: period.id,
        providerId: world.home.id,
        consumerId: consumer,
        amountMinor,
      });
    }
    return { ...world, third, period };
  }

  /** A consortium admin of the world's consortium who is a user of its home organisation, its other, or this one. */
  async function anotherConsortiumAdmin(
    world: Awaited<ReturnType<typeof aConsortiumWithMembers>>,
    home: boolean | Organisation = true,
  ) {
    const organisation = home === true ? world.home : home === false ? world.other : home;
    const user = await aUser(test.dataSource, organisation, ['viewer']);
    await makeConsortiumAdmin(test.dataSource, world.consortium, user);
    return bearerFor(test, user);
  }

  /** An issued charge with one of its lines disputed by the consumer, moved on by `steps` first. */
  async function aDisputedCharge(steps: { as: 'provider' | 'consumer'; step: string }[] = []) {
    const scene = await anIssuedChargeBetweenMembers(test);
    const raised = await test
      .http()
      .post(`/api/v1/cross-charges/${scene.charge.id}/lines/${scene.charge.lineIds[0]}/dispute`)
      .set(scene.auth.consumer)
      .send(REASON)
      .expect(201);
    for (const { as, step } of steps) {
      await test
        .http()
        .post(`/api/v1/disputes/${raised.body.id}/${step}`)
        .set(scene.auth[as])
        .send(REASON)
        .expect(200);
    }
    return { ...scene, disputeId: raised.body.id as string };
  }

  const SCENES: Record<(typeof MONEY_MOVING_WRITES)[number], () => Promise<Scene>> = {
    'POST /api/v1/billing-periods/{id}/charge-runs': async () => {
      const world = await aConsortiumWithMembers(test.dataSource);
      const period = await aBillingPeriod(test, world.consortium, new Date().toISOString().slice(0, 10));
      return {
        path: `/api/v1/billing-periods/${period.id}/charge-runs`,
        body: {},
        caller: await bearerFor(test, world.consortiumAdmin),
        sameOrganisationCaller: await anotherConsortiumAdmin(world),
        otherOrganisationCaller: await anotherConsortiumAdmin(world, false),
        consortiumId: world.consortium.id,
      };
    },
    'POST /api/v1/charge-runs/{id}/resume': async () => {
      const world = await aConsortiumWithMembers(test.dataSource);
      const period = await aBillingPeriod(test, world.consortium, new Date().toISOString().slice(0, 10));
      // Running and held by nobody: its worker died, so the run is interrupted.
      const [run] = await test.dataSource.query(
        `INSERT INTO charge_runs (consortium_id, billing_period_id, status, requested_by_label, started_at)
         VALUES ($1, $2, 'running', 'test', now()) RETURNING id`,
        [world.consortium.id, period.id],
      );
      return {
        path: `/api/v1/charge-runs/${run.id}/resume`,
        body: {},
        caller: await bearerFor(test, world.consortiumAdmin),
        sameOrganisationCaller: await anotherConsortiumAdmin(world),
        otherOrganisationCaller: await anotherConsortiumAdmin(world, false),
        consortiumId: world.consortium.id,
      };
    },
    'POST /api/v1/billing-periods/{id}/close': async () => {
      const world = await aPeriodToClose();
      return {
        path: `/api/v1/billing-periods/${world.period.id}/close`,
        body: {},
        caller: await bearerFor(test, world.consortiumAdmin),
        sameOrganisationCaller: await anotherConsortiumAdmin(world),
        otherOrganisationCaller: await anotherConsortiumAdmin(world, false),
        consortiumId: world.consortium.id,
      };
    },
    'POST /api/v1/billing-periods/{id}/issue-charges': async () => {
      const world = await aConsortiumWithMembers(test.dataSource);
      const third = await anOrganisation(test.dataSource);
      await aMembership(test.dataSource, world.consortium, third);
      const period = await aBillingPeriod(test, world.consortium, '2026-10-01');
      for (const [consumer, netMinor] of [
        [world.other, 10_000],
        [third, 2_500],
      ] as const) {
        await aDraftCrossCharge(test.dataSource, {
          consortium: world.consortium,
          periodId: period.id,
          provider: world.home,
          consumer,
          lines: [{ netMinor }],
        });
      }
      return {
        path: `/api/v1/billing-periods/${period.id}/issue-charges`,
        body: {},
        caller: await bearerFor(test, world.homeUsers.finance),
        sameOrganisationCaller: await bearerFor(test, world.homeUsers.admin),
        otherOrganisationCaller: await bearerFor(test, world.otherUsers.finance),
        consortiumId: world.consortium.id,
      };
    },
    'POST /api/v1/settlement-payments/{id}/record': async () => {
      const world = await aPeriodToClose();
      const closed = await test
        .http()
        .post(`/api/v1/billing-periods/${world.period.id}/close`)
        .set(await bearerFor(test, world.consortiumAdmin))
        .send({})
        .expect(200);
      const payment = (closed.body.payments as { id: string; payerOrganisationId: string }[]).find(
        (p) => p.payerOrganisationId === world.other.id,
      );
      return {
        path: `/api/v1/settlement-payments/${payment?.id}/record`,
        body: { paymentReference: 'BACS-2026-10-001' },
        caller: await bearerFor(test, world.otherUsers.finance),
        sameOrganisationCaller: await bearerFor(test, world.otherUsers.admin),
        otherOrganisationCaller: await bearerFor(test, world.homeUsers.finance),
        consortiumId: world.consortium.id,
      };
    },
    'POST /api/v1/cross-charges/{id}/issue': async () => {
      const world = await aConsortiumWithMembers(test.dataSource);
      const period = await aBillingPeriod(test, world.consortium, '2026-10-01');
      const charge = await aDraftCrossCharge(test.dataSource, {
        consortium: world.consortium,
        periodId: period.id,
        provider: world.home,
        consumer: world.other,
        lines: [{ netMinor: 10_000 }],
      });
      return {
        path: `/api/v1/cross-charges/${charge.id}/issue`,
        body: {},
        caller: await bearerFor(test, world.homeUsers.finance),
        sameOrganisationCaller: await bearerFor(test, world.homeUsers.admin),
        otherOrganisationCaller: await bearerFor(test, world.otherUsers.finance),
        consortiumId: world.consortium.id,
      };
    },
    'POST /api/v1/cross-charges/{id}/approve': async () => {
      const scene = await anIssuedChargeBetweenMembers(test);
      return {
        path: `/api/v1/cross-charges/${scene.charge.id}/approve`,
        body: {},
        caller: scene.auth.consumer,
        sameOrganisationCaller: await bearerFor(test, scene.otherUsers.admin),
        otherOrganisationCaller: scene.auth.provider,
        consortiumId: scene.consortium.id,
      };
    },
    'POST /api/v1/cross-charges/{id}/lines/{lineId}/dispute': async () => {
      const scene = await anIssuedChargeBetweenMembers(test);
      return {
        path: `/api/v1/cross-charges/${scene.charge.id}/lines/${scene.charge.lineIds[0]}/dispute`,
        body: REASON,
        caller: scene.auth.consumer,
        sameOrganisationCaller: await bearerFor(test, scene.otherUsers.admin),
        otherOrganisationCaller: scene.auth.provider,
        consortiumId: scene.consortium.id,
      };
    },
    'POST /api/v1/disputes/{id}/accept': async () => {
      const scene = await aDisputedCharge();
      return {
        path: `/api/v1/disputes/${scene.disputeId}/accept`,
        body: { ...REASON, correctedNetMinor: '90000' },
        caller: scene.auth.provider,
        sameOrganisationCaller: await bearerFor(test, scene.homeUsers.admin),
        otherOrganisationCaller: scene.auth.consumer,
        consortiumId: scene.consortium.id,
      };
    },
    'POST /api/v1/disputes/{id}/reject': async () => {
      const scene = await aDisputedCharge();
      return {
        path: `/api/v1/disputes/${scene.disputeId}/reject`,
        body: REASON,
        caller: scene.auth.provider,
        sameOrganisationCaller: await bearerFor(test, scene.homeUsers.admin),
        otherOrganisationCaller: scene.auth.consumer,
        consortiumId: scene.consortium.id,
      };
    },
    'POST /api/v1/disputes/{id}/escalate': async () => {
      const scene = await aDisputedCharge([{ as: 'provider', step: 'reject' }]);
      return {
        path: `/api/v1/disputes/${scene.disputeId}/escalate`,
        body: REASON,
        caller: scene.auth.consumer,
        sameOrganisationCaller: await bearerFor(test, scene.otherUsers.admin),
        otherOrganisationCaller: scene.auth.provider,
        consortiumId: scene.consortium.id,
      };
    },
    'POST /api/v1/disputes/{id}/uphold': async () => {
      const scene = await aDisputedCharge([
        { as: 'provider', step: 'reject' },
        { as: 'consumer', step: 'escalate' },
      ]);
      return {
        path: `/api/v1/disputes/${scene.disputeId}/uphold`,
        body: { ...REASON, creditNetMinor: '25000' },
        // The deciding administrator sits in the bystander: a party's may not decide (a conflict of interest).
        caller: scene.auth.consortiumAdmin,
        sameOrganisationCaller: await anotherConsortiumAdmin(scene, scene.bystander),
        otherOrganisationCaller: await anotherConsortiumAdmin(scene, false),
        consortiumId: scene.consortium.id,
      };
    },
    'POST /api/v1/disputes/{id}/dismiss': async () => {
      const scene = await aDisputedCharge([
        { as: 'provider', step: 'reject' },
        { as: 'consumer', step: 'escalate' },
      ]);
      return {
        path: `/api/v1/disputes/${scene.disputeId}/dismiss`,
        body: REASON,
        // The deciding administrator sits in the bystander: a party's may not decide (a conflict of interest).
        caller: scene.auth.consortiumAdmin,
        sameOrganisationCaller: await anotherConsortiumAdmin(scene, scene.bystander),
        otherOrganisationCaller: await anotherConsortiumAdmin(scene, false),
        consortiumId: scene.consortium.id,
      };
    },
    'POST /api/v1/disputes/{id}/withdraw': async () => {
      const scene = await aDisputedCharge();
      return {
        path: `/api/v1/disputes/${scene.disputeId}/withdraw`,
        body: REASON,
        caller: scene.auth.consumer,
        sameOrganisationCaller: await bearerFor(test, scene.otherUsers.admin),
        otherOrganisationCaller: scene.auth.provider,
        consortiumId: scene.consortium.id,
      };
    },
    'POST /api/v1/usage-events': async () => {
      const world = await aConsortiumWithMembers(test.dataSource);
      const service = await aService(test.dataSource, world.consortium, world.home, { plan: METERED });
      const startDate = new Date(Date.now() - 75 * 86_400_000).toISOString().slice(0, 10);
      const subscriptionId = await aDatedSubscription(test.dataSource, service, world.other, { startDate });
      const occurredAt = new Date(Date.now() - 3_600_000).toISOString();
      const run = randomBytes(4).toString('hex');
      return {
        path: '/api/v1/usage-events',
        body: {
          events: [1, 2].map((n) => ({
            eventId: `evt-${run}-${n}`,
            subscriptionId,
            metric: 'storage_gb',
            quantity: '12.5',
            occurredAt,
          })),
        },
        caller: (await anApiKey(test.dataSource, world.home, ['usage:write'])).header,
        sameOrganisationCaller: (await anApiKey(test.dataSource, world.home, ['usage:write'])).header,
        otherOrganisationCaller: (await anApiKey(test.dataSource, world.other, ['usage:write'])).header,
        consortiumId: world.consortium.id,
      };
    },
    'POST /api/v1/usage-events/void': async () => {
      const reported = await SCENES['POST /api/v1/usage-events']();
      await test.http().post(reported.path).set(reported.caller).send(reported.body).expect(200);
      const events = (reported.body as { events: { eventId: string }[] }).events;
      return {
        ...reported,
        path: '/api/v1/usage-events/void',
        body: { eventIds: events.map((e) => e.eventId), reason: 'Meter read twice' },
      };
    },
  };

  it('marks every money-moving write @Idempotent, and knows every idempotent route', () => {
    const routes = routesOf(test);
    const names = new Map(routes.map((route) => [route.name, route]));
    for (const name of MONEY_MOVING_WRITES) {
      expect({ name, idempotent: names.get(name)?.idempotent }).toEqual({ name, idempotent: true });
    }
    const idempotent = routes.filter((route) => route.idempotent).map((route) => route.name);
    expect(idempotent.sort()).toEqual([...MONEY_MOVING_WRITES].sort());
  });

  it('treats every write on charges, disputes, settlement, usage and billing periods as money-moving, or says why not', () => {
    const MONEY_AREA =
      /^\/api\/v1\/(cross-charges|disputes|credit-notes|settlement-payments|usage-events|charge-runs|billing-periods)\b/;
    /** Writes in those areas that move no money. */
    const NOT_MONEY = ['POST /api/v1/cross-charges/{id}/comments'];
    const writes = routesOf(test)
      .filter((route) => route.method !== 'GET' && MONEY_AREA.test(route.path))
      .map((route) => route.name);
    expect(writes.filter((name) => !NOT_MONEY.includes(name)).sort()).toEqual(
      MONEY_MOVING_WRITES.filter((name) => MONEY_AREA.test(name.split(' ')[1])).sort(),
    );
  });

  it('documents the Idempotency-Key header on every money-moving write', async () => {
    const document = (await test.http().get('/api/docs/openapi.json').expect(200)).body as {
      paths: Record<string, Record<string, { parameters?: { name: string; in: string }[] }>>;
    };
    for (const name of MONEY_MOVING_WRITES) {
      const [method, path] = name.split(' ');
      const parameters = document.paths[path]?.[method.toLowerCase()]?.parameters ?? [];
      expect({
        name,
        header: parameters.some((p) => p.in === 'header' && p.name === 'Idempotency-Key'),
      }).toEqual({
        name,
        header: true,
      });
    }
  });

  it('does not let a colleague who administers another consortium close the period, or read its plan, by replaying its key', async () => {
    const world = await aPeriodToClose();
    const key = 'close-2026-10';
    const path = `/api/v1/billing-periods/${world.period.id}/close`;
    const closed = await test
      .http()
      .post(path)
      .set(await bearerFor(test, world.consortiumAdmin))
      .set('Idempotency-Key', key)
      .send({})
      .expect(200);
    expect(closed.body.payments.length).toBeGreaterThan(0);

    const colleague = await aUser(test.dataSource, world.home, ['viewer']);
    const elsewhere = await aConsortiumWithMembers(test.dataSource);
    await makeConsortiumAdmin(test.dataSource, elsewhere.consortium, colleague);
    const response = await test
      .http()
      .post(path)
      .set(await bearerFor(test, colleague))
      .set('Idempotency-Key', key)
      .send({});
    // The period is visible to the colleague (their organisation is a member), closing it is not theirs: 403.
    expect(response.status).toBe(403);
    expect(response.headers['idempotent-replayed']).toBeUndefined();
    expect(response.body).toMatchObject({ type: 'urn:consortium:problem:forbidden', status: 403 });
    expect(response.text).not.toContain(world.other.id);
  });

  const expectReusedKeyProblem = (response: Response) => {
    expect(response.status).toBe(422);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({
      type: 'urn:consortium:problem:unprocessable-entity',
      status: 422,
      code: 'idempotency-key-reused',
    });
    expect(typeof response.body.detail).toBe('string');
  };

  describe.each(MONEY_MOVING_WRITES)('%s', (name) => {
    it('replays the first response (same status and body) for a retry with the same key and writes once', async () => {
      const scene = await SCENES[name]();
      const key = randomUUID();
      const first = await send(scene, scene.caller, key);
      expect(first.status).toBeLessThan(300);
      expect(first.headers['idempotent-replayed']).toBeUndefined();
      const after = await footprint(scene.consortiumId);

      const retry = await send(scene, scene.caller, key);
      expect(retry.status).toBe(first.status);
      expect(retry.headers['idempotent-replayed']).toBe('true');
      expect(retry.text).toBe(first.text);
      expect(await footprint(scene.consortiumId)).toEqual(after);
    });

    it('refuses the same key with a different body (422 idempotency-key-reused) and writes nothing', async () => {
      const scene = await SCENES[name]();
      const key = randomUUID();
      const first = await send(scene, scene.caller, key);
      expect(first.status).toBeLessThan(300);
      const after = await footprint(scene.consortiumId);

      expectReusedKeyProblem(
        await send(scene, scene.caller, key, { ...scene.body, note: 'another request' }),
      );
      expect(await footprint(scene.consortiumId)).toEqual(after);
    });

    it("never hands the first caller's result to another user or key, of the same organisation or another", async () => {
      const scene = await SCENES[name]();
      const key = randomUUID();
      const first = await send(scene, scene.caller, key);
      expect(first.status).toBeLessThan(300);

      // A colleague's request runs as their own (recording a payment twice may well answer the same: it is
      // idempotent in itself); the other organisation's is answered for what it may do, not with the first result.
      const colleague = await send(scene, scene.sameOrganisationCaller, key);
      expect(colleague.headers['idempotent-replayed']).toBeUndefined();
      const other = await send(scene, scene.otherOrganisationCaller, key);
      expect(other.headers['idempotent-replayed']).toBeUndefined();
      expect(other.text).not.toBe(first.text);
    });
  });
});
