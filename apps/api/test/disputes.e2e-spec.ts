import { DataSource } from 'typeorm';
import {
  auditEventsFor,
  anIssuedChargeBetweenMembers,
  aUser,
  bearerFor,
  makeConsortiumAdmin,
} from './support/builders';
import { createTestApp, TestApp } from './support/test-app';

type Auth = Record<string, string>;

const FORBIDDEN = { type: 'urn:consortium:problem:forbidden', status: 403 };
const conflictWith = (code: string) => ({ type: 'urn:consortium:problem:conflict', status: 409, code });

describe('disputes and credit notes', () => {
  let test: TestApp;
  let ds: DataSource;
  beforeAll(async () => {
    test = await createTestApp();
    ds = test.dataSource;
  });
  afterAll(() => test.close());

  const anIssuedCharge = () => anIssuedChargeBetweenMembers(test);
  type Scene = Awaited<ReturnType<typeof anIssuedCharge>>;

  const raise = async (scene: Scene, line = 0, reason = 'Two of the sites closed in September') =>
    (
      await test
        .http()
        .post(`/api/v1/cross-charges/${scene.charge.id}/lines/${scene.charge.lineIds[line]}/dispute`)
        .set(scene.auth.consumer)
        .send({ reason })
        .expect(201)
    ).body.id as string;
  const step = (
    auth: Auth,
    id: string,
    action: string,
    body: object = { reason: 'Because the records say so' },
  ) => test.http().post(`/api/v1/disputes/${id}/${action}`).set(auth).send(body);
  const chargeOf = async (scene: Scene, auth: Auth = scene.auth.provider) =>
    (await test.http().get(`/api/v1/cross-charges/${scene.charge.id}`).set(auth).expect(200)).body;

  async function position(scene: Scene, organisationId: string): Promise<bigint> {
    const [row] = await ds.query(
      `SELECT coalesce(sum(b.balance_minor), 0)::text AS total FROM ledger_accounts a
         JOIN account_balances b ON b.account_id = a.id
        WHERE a.consortium_id = $1 AND a.organisation_id = $2`,
      [scene.consortium.id, organisationId],
    );
    return BigInt(row.total);
  }

  it('accepting a dispute credits the whole line, posts the reversal and returns the charge to issued', async () => {
    const scene = await anIssuedCharge();
    const disputeId = await raise(scene);
    expect((await chargeOf(scene)).status).toBe('disputed');
    const response = await step(scene.auth.provider, disputeId, 'accept', {
      reason: 'Agreed, our mistake',
    }).expect(200);
    expect(response.body).toMatchObject({
      dispute: { id: disputeId, status: 'accepted', resolution: 'Agreed, our mistake' },
      creditNote: {
        reference: `${scene.charge.reference}-CN01`,
        net: { amountMinor: '100000' },
        vat: { amountMinor: '0' },
        gross: { amountMinor: '100000' },
      },
      crossChargeStatus: 'issued',
    });
    expect(await position(scene, scene.provider.id)).toBe(30_060n);
    expect(await position(scene, scene.consumer.id)).toBe(-30_060n);
    const [entry] = await ds.query(
      `SELECT e.kind, e.reverses_entry_id IS NOT NULL AS reverses, sum(p.amount_minor)::text AS total
         FROM journal_entries e JOIN postings p ON p.journal_entry_id = e.id
        WHERE e.source_type = 'credit_note' AND e.source_id = $1 GROUP BY e.id`,
      [response.body.creditNote.id],
    );
    expect(entry).toEqual({ kind: 'credit_note', reverses: true, total: '0' });
    const charge = await chargeOf(scene, scene.auth.consumer);
    expect(charge.credited).toEqual({ amountMinor: '100000', currency: 'GBP' });
    expect(charge.lines[0].credited).toEqual({ amountMinor: '100000', currency: 'GBP' });
    expect(charge.comments.map((c: { body: string; disputeId: string }) => [c.disputeId, c.body])).toEqual([
      [disputeId, 'Disputed "Disaster recovery, 10 sites": Two of the sites closed in September'],
      [
        disputeId,
        `Accepted the dispute: Agreed, our mistake. Credit note ${scene.charge.reference}-CN01 for £1,000.00.`,
      ],
    ]);
    expect((await auditEventsFor(ds, disputeId)).map((e) => e.action)).toEqual([
      'dispute.opened',
      'dispute.accepted',
    ]);
    await test
      .http()
      .post(`/api/v1/cross-charges/${scene.charge.id}/approve`)
      .set(scene.auth.consumer)
      .expect(200);
  });

  it('accepting with a corrected amount credits the difference, with the VAT on it', async () => {
    const scene = await anIssuedCharge();
    const disputeId = await raise(scene, 1);
    const response = await step(scene.auth.provider, disputeId, 'accept', {
      reason: 'Storage was 200 GB, not 250 GB',
      correctedNetMinor: '20040',
    }).expect(200);
    // Corrected VAT is 20% of £200.40 = £40.08; the line had £50.10, so £10.02 VAT is credited with £50.10 net.
    expect(response.body.creditNote).toMatchObject({
      net: { amountMinor: '5010' },
      vat: { amountMinor: '1002' },
      gross: { amountMinor: '6012' },
    });
    expect(await position(scene, scene.provider.id)).toBe(130_060n - 6_012n);
  });

  it('refuses a corrected amount that is not below the line (422)', async () => {
    const scene = await anIssuedCharge();
    const disputeId = await raise(scene);
    const response = await step(scene.auth.provider, disputeId, 'accept', {
      reason: 'No change',
      correctedNetMinor: '100000',
    }).expect(422);
    expect(response.body.code).toBe('invalid-credit-amount');
    expect(await position(scene, scene.provider.id)).toBe(130_060n);
  });

  it('rejected, escalated and upheld: the consortium admin credits part of the line', async () => {
    const scene = await anIssuedCharge();
    const disputeId = await raise(scene);
    expect((await step(scene.auth.provider, disputeId, 'reject').expect(200)).body.dispute.status).toBe(
      'rejected',
    );
    expect((await step(scene.auth.consumer, disputeId, 'escalate').expect(200)).body.dispute.status).toBe(
      'escalated',
    );
    expect((await step(scene.auth.provider, disputeId, 'uphold').expect(403)).body).toMatchObject(FORBIDDEN);
    const upheld = await step(scene.auth.consortiumAdmin, disputeId, 'uphold', {
      reason: 'Half the sites were live for half the month',
      creditNetMinor: '25000',
    }).expect(200);
    expect(upheld.body).toMatchObject({
      dispute: { status: 'upheld' },
      creditNote: { gross: { amountMinor: '25000' } },
      crossChargeStatus: 'issued',
    });
    expect(await position(scene, scene.consumer.id)).toBe(-(130_060n - 25_000n));
    const kinds = await ds.query(
      `SELECT kind FROM notifications WHERE entity_id = $1 AND organisation_id = $2 ORDER BY created_at`,
      [scene.charge.id, scene.consumer.id],
    );
    expect(kinds.map((k: { kind: string }) => k.kind)).toEqual([
      'cross_charge.issued',
      'dispute.rejected',
      'dispute.upheld',
    ]);
  });

  it('rejected, escalated and dismissed: the line stands and nothing is credited', async () => {
    const scene = await anIssuedCharge();
    const disputeId = await raise(scene);
    await step(scene.auth.provider, disputeId, 'reject').expect(200);
    await step(scene.auth.provider, disputeId, 'escalate').expect(200);
    const dismissed = await step(scene.auth.consortiumAdmin, disputeId, 'dismiss').expect(200);
    expect(dismissed.body).toMatchObject({
      dispute: { status: 'dismissed' },
      creditNote: null,
      crossChargeStatus: 'issued',
    });
    expect(await position(scene, scene.provider.id)).toBe(130_060n);
  });

  describe('conflict of interest', () => {
    /** A dispute of the scene's charge, rejected by the provider and escalated by the consumer. */
    async function anEscalatedDispute(scene: Scene) {
      const disputeId = await raise(scene);
      await step(scene.auth.provider, disputeId, 'reject').expect(200);
      await step(scene.auth.consumer, disputeId, 'escalate').expect(200);
      return disputeId;
    }

    it('refuses to let an administrator of the consortium decide a dispute their own organisation is party to, naming the conflict; another administrator decides', async () => {
      const scene = await anIssuedCharge();
      const disputeId = await anEscalatedDispute(scene);
      const consumerSideAdmin = await aUser(ds, scene.consumer, ['viewer']);
      await makeConsortiumAdmin(ds, scene.consortium, consumerSideAdmin);
      const asConsumerSide = await bearerFor(test, consumerSideAdmin);

      const attempts = [
        await step(scene.auth.partyAdmin, disputeId, 'dismiss').expect(403),
        await step(scene.auth.partyAdmin, disputeId, 'uphold', {
          reason: 'Ours to say',
          creditNetMinor: '1',
        }).expect(403),
        await step(asConsumerSide, disputeId, 'uphold', { reason: 'Credit us in full' }).expect(403),
      ];

      for (const [response, party] of [
        [attempts[0], `${scene.provider.name}, is the provider`],
        [attempts[1], `${scene.provider.name}, is the provider`],
        [attempts[2], `${scene.consumer.name}, is the consumer`],
      ] as const) {
        expect(response.body).toMatchObject({ ...FORBIDDEN, code: 'conflict-of-interest' });
        expect(response.body.detail).toBe(
          `You may not decide this dispute: your organisation, ${party} of ${scene.charge.reference} (a conflict ` +
            'of interest). Another administrator of the consortium must decide it.',
        );
      }
      const charge = await chargeOf(scene);
      expect(charge.disputes.map((d: { status: string }) => d.status)).toEqual(['escalated']);
      expect(charge.credited).toEqual({ amountMinor: '0', currency: 'GBP' });
      expect(await position(scene, scene.provider.id)).toBe(130_060n);
      expect((await auditEventsFor(ds, disputeId)).map((e) => e.action)).toEqual([
        'dispute.opened',
        'dispute.rejected',
        'dispute.escalated',
      ]);

      const decided = await step(scene.auth.consortiumAdmin, disputeId, 'dismiss').expect(200);
      expect(decided.body.dispute.status).toBe('dismissed');
    });

    it('tells a party’s administrator of the conflict whatever state the dispute is in', async () => {
      const scene = await anIssuedCharge();
      const open = await raise(scene);

      const response = await step(scene.auth.partyAdmin, open, 'uphold').expect(403);

      expect(response.body.code).toBe('conflict-of-interest');
      expect((await step(scene.auth.consortiumAdmin, open, 'uphold').expect(409)).body).toMatchObject(
        conflictWith('illegal-transition'),
      );
    });
  });

  it('keeps the charge disputed while another dispute still awaits a decision', async () => {
    const scene = await anIssuedCharge();
    const first = await raise(scene, 0);
    await raise(scene, 1);
    const withdrawn = await step(scene.auth.consumer, first, 'withdraw').expect(200);
    expect(withdrawn.body).toMatchObject({ dispute: { status: 'withdrawn' }, crossChargeStatus: 'disputed' });
  });

  it('refuses a second dispute of a line that already has one awaiting a decision', async () => {
    const scene = await anIssuedCharge();
    await raise(scene);
    const response = await test
      .http()
      .post(`/api/v1/cross-charges/${scene.charge.id}/lines/${scene.charge.lineIds[0]}/dispute`)
      .set(scene.auth.consumer)
      .send({ reason: 'Again' })
      .expect(409);
    expect(response.body).toMatchObject(conflictWith('line-already-disputed'));
  });

  it('refuses steps out of turn and by the wrong side', async () => {
    const scene = await anIssuedCharge();
    const disputeId = await raise(scene);
    await test
      .http()
      .post(`/api/v1/cross-charges/${scene.charge.id}/lines/${scene.charge.lineIds[1]}/dispute`)
      .set(scene.auth.provider)
      .send({ reason: 'Self-dispute' })
      .expect(403);
    expect((await step(scene.auth.consumer, disputeId, 'accept').expect(403)).body).toMatchObject(FORBIDDEN);
    expect((await step(scene.auth.consumerViewer, disputeId, 'withdraw').expect(403)).body).toMatchObject(
      FORBIDDEN,
    );
    await step(scene.auth.bystander, disputeId, 'reject').expect(404);
    expect((await step(scene.auth.consortiumAdmin, disputeId, 'uphold').expect(409)).body).toMatchObject(
      conflictWith('illegal-transition'),
    );
    await step(scene.auth.provider, disputeId, 'accept').expect(200);
    expect((await step(scene.auth.provider, disputeId, 'accept').expect(409)).body).toMatchObject(
      conflictWith('illegal-transition'),
    );
    expect(await position(scene, scene.provider.id)).toBe(30_060n);
  });

  it('replays an accept sent again with the same Idempotency-Key, crediting once', async () => {
    const scene = await anIssuedCharge();
    const disputeId = await raise(scene);
    const send = () =>
      step(scene.auth.provider, disputeId, 'accept', { reason: 'Agreed' }).set(
        'Idempotency-Key',
        `accept-${disputeId}`,
      );
    const first = await send().expect(200);
    const replay = await send().expect(200);
    expect(replay.body).toEqual(first.body);
    const [{ notes }] = await ds.query(
      'SELECT count(*)::int AS notes FROM credit_notes WHERE dispute_id = $1',
      [disputeId],
    );
    expect(notes).toBe(1);
  });

  describe('the comment thread', () => {
    it('takes comments from either party and the consortium admin, and tells the other side', async () => {
      const scene = await anIssuedCharge();
      const post = (auth: Auth, body: string) =>
        test.http().post(`/api/v1/cross-charges/${scene.charge.id}/comments`).set(auth).send({ body });
      await post(scene.auth.consumer, 'Which purchase order is this against?').expect(201);
      await post(scene.auth.provider, 'PO 4500123').expect(201);
      await post(scene.auth.partyAdmin, 'Noted <b>by</b> the board').expect(201);
      expect((await post(scene.auth.consumerViewer, 'Me too').expect(403)).body).toMatchObject(FORBIDDEN);
      await post(scene.auth.bystander, 'Nosy').expect(404);
      const thread = await test
        .http()
        .get(`/api/v1/cross-charges/${scene.charge.id}/comments`)
        .set(scene.auth.consumerViewer)
        .expect(200);
      expect(thread.body.data.map((c: { body: string }) => c.body)).toEqual([
        'Which purchase order is this against?',
        'PO 4500123',
        'Noted <b>by</b> the board',
      ]);
      // This consortium admin works for the provider, so its comment is news to the consumer only.
      const notices = await ds.query(
        `SELECT organisation_id AS "organisationId", count(*)::int AS count FROM notifications
          WHERE kind = 'cross_charge.commented' AND entity_id = $1 GROUP BY organisation_id`,
        [scene.charge.id],
      );
      expect(notices).toEqual(
        expect.arrayContaining([
          { organisationId: scene.provider.id, count: 1 },
          { organisationId: scene.consumer.id, count: 2 },
        ]),
      );
      expect(notices).toHaveLength(2);
    });
  });
});
