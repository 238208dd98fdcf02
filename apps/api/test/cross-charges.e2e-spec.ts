import { DataSource } from 'typeorm';
import {
  aChargePeriod,
  aConsortiumWithMembers,
  aDraftCrossCharge,
  aMembership,
  anApiKey,
  anOrganisation,
  auditEventsFor,
  aUser,
  bearerFor,
} from './support/builders';
import { createTestApp, TestApp } from './support/test-app';

type Auth = Record<string, string>;

const FORBIDDEN = { type: 'urn:consortium:problem:forbidden', status: 403 };
const NOT_FOUND = { type: 'urn:consortium:problem:not-found', status: 404 };
const conflictWith = (code: string) => ({ type: 'urn:consortium:problem:conflict', status: 409, code });

describe('cross-charges under finance review', () => {
  let test: TestApp;
  let ds: DataSource;
  beforeAll(async () => {
    test = await createTestApp();
    ds = test.dataSource;
  });
  afterAll(() => test.close());

  /** Provider `home` charges consumer `other` in an open month; a third member and an outsider look on. */
  async function aScene(periodStatus: 'open' | 'closed' = 'open') {
    const world = await aConsortiumWithMembers(ds);
    const bystander = await anOrganisation(ds);
    await aMembership(ds, world.consortium, bystander);
    const period = await aChargePeriod(ds, world.consortium, '2026-11', periodStatus);
    const charge = await aDraftCrossCharge(ds, {
      consortium: world.consortium,
      periodId: period.id,
      provider: world.home,
      consumer: world.other,
      lines: [
        { netMinor: 100_000, description: 'Disaster recovery, 10 sites' },
        { netMinor: 25_050, vatMinor: 5_010, description: 'Backup storage' },
      ],
    });
    return {
      ...world,
      bystander,
      period,
      charge,
      provider: world.home,
      consumer: world.other,
      auth: {
        providerFinance: await bearerFor(test, world.homeUsers.finance),
        providerAdmin: await bearerFor(test, world.homeUsers.admin),
        providerViewer: await bearerFor(test, world.homeUsers.viewer),
        consumerFinance: await bearerFor(test, world.otherUsers.finance),
        consumerViewer: await bearerFor(test, world.otherUsers.viewer),
        consortiumAdmin: await bearerFor(test, world.consortiumAdmin),
        bystander: await bearerFor(test, await aUser(ds, bystander, ['finance'])),
      },
    };
  }
  type Scene = Awaited<ReturnType<typeof aScene>>;

  const issue = (auth: Auth, id: string, headers: Auth = {}) =>
    test.http().post(`/api/v1/cross-charges/${id}/issue`).set(auth).set(headers).send();
  const approve = (auth: Auth, id: string) =>
    test.http().post(`/api/v1/cross-charges/${id}/approve`).set(auth).send();
  const dispute = (auth: Auth, id: string, lineId: string, reason = 'The second site closed in October') =>
    test.http().post(`/api/v1/cross-charges/${id}/lines/${lineId}/dispute`).set(auth).send({ reason });
  const list = (auth: Auth, query: Record<string, string> = {}) =>
    test.http().get('/api/v1/cross-charges').set(auth).query(query);

  /** The member's account balance in the consortium, from the balances the ledger keeps. */
  async function balance(
    scene: Scene,
    organisationId: string,
    kind: 'receivable' | 'payable',
  ): Promise<bigint> {
    const [row] = await ds.query(
      `SELECT coalesce(sum(b.balance_minor), 0)::text AS total FROM ledger_accounts a
         JOIN account_balances b ON b.account_id = a.id
        WHERE a.consortium_id = $1 AND a.organisation_id = $2 AND a.kind = $3`,
      [scene.consortium.id, organisationId, kind],
    );
    return BigInt(row.total);
  }

  describe('issuing', () => {
    it('posts a balanced entry: the provider is owed the gross and the consumer owes it', async () => {
      const scene = await aScene();
      const response = await issue(scene.auth.providerFinance, scene.charge.id).expect(200);
      expect(response.body).toMatchObject({
        status: 'issued',
        direction: 'from_us',
        gross: { amountMinor: '130060', currency: 'GBP' },
      });
      expect(response.body.issuedAt).toEqual(expect.any(String));
      expect(await balance(scene, scene.provider.id, 'receivable')).toBe(130_060n);
      expect(await balance(scene, scene.consumer.id, 'payable')).toBe(-130_060n);
      const entries = await ds.query(
        `SELECT e.kind, sum(p.amount_minor)::text AS total, count(p.*)::int AS postings
           FROM journal_entries e JOIN postings p ON p.journal_entry_id = e.id
          WHERE e.source_type = 'cross_charge' AND e.source_id = $1 GROUP BY e.id, e.kind`,
        [scene.charge.id],
      );
      expect(entries).toEqual([{ kind: 'charge', total: '0', postings: 2 }]);
      expect((await auditEventsFor(ds, scene.charge.id)).map((e) => e.action)).toEqual([
        'cross_charge.issued',
      ]);
      const [notice] = await ds.query(
        `SELECT kind, body FROM notifications WHERE organisation_id = $1 AND entity_id = $2`,
        [scene.consumer.id, scene.charge.id],
      );
      // The period in words, as people name it, not its key.
      expect(notice).toEqual({
        kind: 'cross_charge.issued',
        body: 'A cross-charge of £1,300.60 for November 2026 is ready for your review.',
      });
    });

    it('issues a draft of 0p (usage under its allowance) without a journal entry, and it can be reviewed', async () => {
      const scene = await aScene();
      const zero = await aDraftCrossCharge(ds, {
        consortium: scene.consortium,
        periodId: scene.period.id,
        provider: scene.provider,
        consumer: scene.bystander,
        lines: [{ netMinor: 0, description: 'Framework spend under the £60,000 allowance' }],
      });
      // Issued with the provider's other drafts: the ledger refuses zero postings, so nothing is posted for it.
      const batch = await test
        .http()
        .post(`/api/v1/billing-periods/${scene.period.id}/issue-charges`)
        .set(scene.auth.providerFinance)
        .expect(200);
      expect(batch.body.data).toContainEqual(
        expect.objectContaining({
          id: zero.id,
          status: 'issued',
          gross: { amountMinor: '0', currency: 'GBP' },
        }),
      );
      const entries = await ds.query(
        `SELECT count(*)::int AS n FROM journal_entries WHERE source_type = 'cross_charge' AND source_id = $1`,
        [zero.id],
      );
      expect(entries).toEqual([{ n: 0 }]);
      const [issued] = await auditEventsFor(ds, zero.id);
      expect(issued).toMatchObject({
        action: 'cross_charge.issued',
        changes: expect.objectContaining({ grossMinor: '0', journalEntryId: null }),
      });
      expect(await balance(scene, scene.bystander.id, 'payable')).toBe(0n);

      // The consumer may still question the usage behind it, but there is nothing to credit: 409, never a 500.
      const bystander = scene.auth.bystander;
      const raised = await dispute(bystander, zero.id, zero.lineIds[0], 'Our spend was lower still').expect(
        201,
      );
      const accepted = await test
        .http()
        .post(`/api/v1/disputes/${raised.body.id}/accept`)
        .set(scene.auth.providerFinance)
        .send({ reason: 'Agreed' })
        .expect(409);
      expect(accepted.body).toMatchObject(conflictWith('nothing-to-credit'));
      await test
        .http()
        .post(`/api/v1/disputes/${raised.body.id}/withdraw`)
        .set(bystander)
        .send({ reason: 'Nothing to pay anyway' })
        .expect(200);
      const approved = await approve(bystander, zero.id).expect(200);
      expect(approved.body).toMatchObject({ status: 'approved', gross: { amountMinor: '0' } });
    });

    it('replays the first response for a retry with the same Idempotency-Key, posting once', async () => {
      const scene = await aScene();
      const key = { 'Idempotency-Key': `issue-${scene.charge.id}` };
      const first = await issue(scene.auth.providerFinance, scene.charge.id, key).expect(200);
      const replay = await issue(scene.auth.providerFinance, scene.charge.id, key).expect(200);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.body).toEqual(first.body);
      expect(await balance(scene, scene.provider.id, 'receivable')).toBe(130_060n);
    });

    it('refuses to issue an issued charge again without the key (409), posting nothing more', async () => {
      const scene = await aScene();
      await issue(scene.auth.providerFinance, scene.charge.id).expect(200);
      const again = await issue(scene.auth.providerAdmin, scene.charge.id).expect(409);
      expect(again.body).toMatchObject(conflictWith('illegal-transition'));
      expect(await balance(scene, scene.provider.id, 'receivable')).toBe(130_060n);
    });

    it('refuses to issue into a closed period', async () => {
      const scene = await aScene('closed');
      const response = await issue(scene.auth.providerFinance, scene.charge.id).expect(409);
      expect(response.body).toMatchObject(conflictWith('period-not-open'));
    });

    it('hides a draft from the consumer (404) and refuses the consortium admin and a viewer (403)', async () => {
      const scene = await aScene();
      expect((await issue(scene.auth.consumerFinance, scene.charge.id).expect(404)).body).toMatchObject(
        NOT_FOUND,
      );
      expect((await issue(scene.auth.bystander, scene.charge.id).expect(404)).body).toMatchObject(NOT_FOUND);
      expect((await issue(scene.auth.consortiumAdmin, scene.charge.id).expect(403)).body).toMatchObject(
        FORBIDDEN,
      );
      expect((await issue(scene.auth.providerViewer, scene.charge.id).expect(403)).body).toMatchObject(
        FORBIDDEN,
      );
      expect(await balance(scene, scene.provider.id, 'receivable')).toBe(0n);
    });

    it('lets an API key issue with charges:write and refuses one without it', async () => {
      const scene = await aScene();
      const reader = await anApiKey(ds, scene.provider, ['charges:read']);
      expect((await issue(reader.header, scene.charge.id).expect(403)).body).toMatchObject(FORBIDDEN);
      const writer = await anApiKey(ds, scene.provider, ['charges:write']);
      await issue(writer.header, scene.charge.id).expect(200);
    });

    it("issues all of the provider's drafts in a period at once, and nobody else's", async () => {
      const scene = await aScene();
      const second = await aDraftCrossCharge(ds, {
        consortium: scene.consortium,
        periodId: scene.period.id,
        provider: scene.provider,
        consumer: scene.bystander,
        lines: [{ netMinor: 9_999 }],
      });
      const theirs = await aDraftCrossCharge(ds, {
        consortium: scene.consortium,
        periodId: scene.period.id,
        provider: scene.consumer,
        consumer: scene.provider,
        lines: [{ netMinor: 500 }],
      });
      const response = await test
        .http()
        .post(`/api/v1/billing-periods/${scene.period.id}/issue-charges`)
        .set(scene.auth.providerFinance)
        .expect(200);
      expect(response.body.data.map((c: { id: string }) => c.id).sort()).toEqual(
        [scene.charge.id, second.id].sort(),
      );
      const [{ status }] = await ds.query('SELECT status FROM cross_charges WHERE id = $1', [theirs.id]);
      expect(status).toBe('draft');
      expect(await balance(scene, scene.provider.id, 'receivable')).toBe(130_060n + 9_999n);
    });
  });

  describe('approving', () => {
    it('lets the consumer approve an issued charge and tells the provider', async () => {
      const scene = await aScene();
      await issue(scene.auth.providerFinance, scene.charge.id).expect(200);
      const response = await approve(scene.auth.consumerFinance, scene.charge.id).expect(200);
      expect(response.body).toMatchObject({ status: 'approved', direction: 'to_us' });
      expect(response.body.comments.map((c: { body: string }) => c.body)).toEqual([
        'Approved the cross-charge.',
      ]);
      const kinds = await ds.query(
        'SELECT kind FROM notifications WHERE organisation_id = $1 AND entity_id = $2',
        [scene.provider.id, scene.charge.id],
      );
      expect(kinds).toEqual([{ kind: 'cross_charge.approved' }]);
    });

    it('refuses the provider approving its own charge and a consumer viewer (403)', async () => {
      const scene = await aScene();
      await issue(scene.auth.providerFinance, scene.charge.id).expect(200);
      expect((await approve(scene.auth.providerFinance, scene.charge.id).expect(403)).body).toMatchObject(
        FORBIDDEN,
      );
      expect((await approve(scene.auth.consumerViewer, scene.charge.id).expect(403)).body).toMatchObject(
        FORBIDDEN,
      );
      expect((await approve(scene.auth.bystander, scene.charge.id).expect(404)).body).toMatchObject(
        NOT_FOUND,
      );
    });

    it('refuses to approve a disputed charge (409)', async () => {
      const scene = await aScene();
      await issue(scene.auth.providerFinance, scene.charge.id).expect(200);
      await dispute(scene.auth.consumerFinance, scene.charge.id, scene.charge.lineIds[0]).expect(201);
      const response = await approve(scene.auth.consumerFinance, scene.charge.id).expect(409);
      expect(response.body).toMatchObject(conflictWith('unresolved-dispute'));
    });

    it('refuses to dispute an approved charge (409)', async () => {
      const scene = await aScene();
      await issue(scene.auth.providerFinance, scene.charge.id).expect(200);
      await approve(scene.auth.consumerFinance, scene.charge.id).expect(200);
      const response = await dispute(
        scene.auth.consumerFinance,
        scene.charge.id,
        scene.charge.lineIds[0],
      ).expect(409);
      expect(response.body).toMatchObject(conflictWith('illegal-transition'));
    });

    it('ends a race between approving and disputing one charge in exactly one consistent outcome', async () => {
      for (let round = 0; round < 3; round++) {
        const scene = await aScene();
        await issue(scene.auth.providerFinance, scene.charge.id).expect(200);
        const [approval, disputal] = await Promise.all([
          approve(scene.auth.consumerFinance, scene.charge.id),
          dispute(scene.auth.consumerFinance, scene.charge.id, scene.charge.lineIds[1]),
        ]);
        const [{ status }] = await ds.query('SELECT status FROM cross_charges WHERE id = $1', [
          scene.charge.id,
        ]);
        const [{ disputes }] = await ds.query(
          'SELECT count(*)::int AS disputes FROM disputes WHERE cross_charge_id = $1',
          [scene.charge.id],
        );
        if (approval.status === 200) {
          expect(disputal.status).toBe(409);
          expect(status).toBe('approved');
          expect(disputes).toBe(0);
        } else {
          expect(approval.status).toBe(409);
          expect(disputal.status).toBe(201);
          expect(status).toBe('disputed');
          expect(disputes).toBe(1);
        }
      }
    });
  });

  describe('listing and reading', () => {
    it("shows each party its charges, drafts only to the provider, and everything to the consortium's admin", async () => {
      const scene = await aScene();
      const ids = (response: { body: { data: { id: string }[] } }) => response.body.data.map((c) => c.id);
      expect(ids(await list(scene.auth.providerViewer).expect(200))).toEqual([scene.charge.id]);
      expect(ids(await list(scene.auth.consumerViewer).expect(200))).toEqual([]);
      expect(ids(await list(scene.auth.bystander).expect(200))).toEqual([]);
      expect(
        ids(await list(scene.auth.consortiumAdmin, { consortiumId: scene.consortium.id }).expect(200)),
      ).toEqual([scene.charge.id]);
      await issue(scene.auth.providerFinance, scene.charge.id).expect(200);
      const consumerView = await list(scene.auth.consumerViewer).expect(200);
      expect(consumerView.body.data).toEqual([
        expect.objectContaining({
          id: scene.charge.id,
          direction: 'to_us',
          status: 'issued',
          provider: { id: scene.provider.id, name: scene.provider.name },
          billingPeriod: expect.objectContaining({ key: '2026-11' }),
          net: { amountMinor: '125050', currency: 'GBP' },
          vat: { amountMinor: '5010', currency: 'GBP' },
        }),
      ]);
    });

    it('filters by direction, counterparty, status, period and gross amount, and sorts by gross', async () => {
      const scene = await aScene();
      const small = await aDraftCrossCharge(ds, {
        consortium: scene.consortium,
        periodId: scene.period.id,
        provider: scene.consumer,
        consumer: scene.provider,
        lines: [{ netMinor: 4_200 }],
      });
      const auth = scene.auth.providerFinance;
      await issue(scene.auth.consumerFinance, small.id).expect(200);
      const ids = async (query: Record<string, string>) =>
        (await list(auth, query).expect(200)).body.data.map((c: { id: string }) => c.id);
      expect(await ids({ direction: 'to_us' })).toEqual([small.id]);
      expect(await ids({ direction: 'from_us' })).toEqual([scene.charge.id]);
      expect(await ids({ counterpartyId: scene.consumer.id, sort: 'grossMinor' })).toEqual([
        small.id,
        scene.charge.id,
      ]);
      expect(await ids({ counterpartyId: scene.bystander.id })).toEqual([]);
      expect(await ids({ status: 'draft' })).toEqual([scene.charge.id]);
      expect(await ids({ minAmount: '4200', maxAmount: '4200' })).toEqual([small.id]);
      expect(await ids({ minAmount: '4201' })).toEqual([scene.charge.id]);
      expect(
        await ids({ periodKey: '2026-11', consortiumId: scene.consortium.id, sort: '-grossMinor' }),
      ).toEqual([scene.charge.id, small.id]);
      expect(await ids({ billingPeriodId: scene.period.id, sort: 'reference', limit: '1' })).toHaveLength(1);
      await list(auth, { periodKey: '2026-11' }).expect(400);
      await list(auth, { minAmount: '-5' }).expect(400);
    });

    it('reads a charge with lines traceable to subscription, service and price version', async () => {
      const scene = await aScene();
      const response = await test
        .http()
        .get(`/api/v1/cross-charges/${scene.charge.id}`)
        .set(scene.auth.providerViewer)
        .expect(200);
      expect(response.body.lines).toEqual([
        expect.objectContaining({
          id: scene.charge.lineIds[0],
          subscriptionId: scene.charge.subscriptionIds[0],
          serviceTitle: expect.stringMatching(/^Test service/),
          priceVersion: 1,
          quantity: '1',
          unitRate: '12.50',
          net: { amountMinor: '100000', currency: 'GBP' },
          gross: { amountMinor: '100000', currency: 'GBP' },
        }),
        expect.objectContaining({
          id: scene.charge.lineIds[1],
          vat: { amountMinor: '5010', currency: 'GBP' },
          gross: { amountMinor: '30060', currency: 'GBP' },
          vatTreatment: 'standard',
        }),
      ]);
      expect(response.body).toMatchObject({ disputes: [], creditNotes: [], comments: [] });
      await test
        .http()
        .get(`/api/v1/cross-charges/${scene.charge.id}`)
        .set(scene.auth.consumerFinance)
        .expect(404);
      await test.http().get(`/api/v1/cross-charges/${scene.charge.id}`).set(scene.auth.bystander).expect(404);
    });
  });
});
