import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { aConsortiumWithMembers, anApiKey, aSuperadmin, bearerFor } from './support/builders';
import { createTestApp, TestApp } from './support/test-app';

interface EventRow {
  organisationId: string | null;
  consortiumId?: string | null;
  action: string;
  entityType?: string;
  entityId?: string;
  actorId?: string | null;
  occurredAt: string;
}

describe('GET /audit-events', () => {
  let test: TestApp;
  let ds: DataSource;
  beforeAll(async () => {
    test = await createTestApp();
    ds = test.dataSource;
  });
  afterAll(() => test.close());

  async function anEvent(row: EventRow): Promise<string> {
    const [inserted] = await ds.query(
      `INSERT INTO audit_events (occurred_at, actor_type, actor_id, actor_label, organisation_id, consortium_id,
                                 action, entity_type, entity_id, changes, request_id)
       VALUES ($1, 'user', $2, 'someone@example.gov.uk', $3, $4, $5, $6, $7, '{}', 'test-request')
       RETURNING id`,
      [
        row.occurredAt,
        row.actorId ?? null,
        row.organisationId,
        row.consortiumId ?? null,
        row.action,
        row.entityType ?? 'organisation',
        row.entityId ?? randomUUID(),
      ],
    );
    return inserted.id;
  }

  /** Two members of a consortium, each with a history: home's in 2025, other's, and the consortium's own. */
  async function aWorld() {
    const world = await aConsortiumWithMembers(ds);
    const consortiumId = world.consortium.id;
    const events = {
      homeJanuary: await anEvent({
        organisationId: world.home.id,
        action: 'organisation.updated',
        actorId: world.homeUsers.admin.id,
        occurredAt: '2025-01-15T10:00:00Z',
      }),
      homeMarch: await anEvent({
        organisationId: world.home.id,
        consortiumId,
        action: 'membership.approved',
        entityType: 'membership',
        occurredAt: '2025-03-15T10:00:00Z',
      }),
      homeMay: await anEvent({
        organisationId: world.home.id,
        action: 'user.created',
        entityType: 'user',
        actorId: world.homeUsers.admin.id,
        occurredAt: '2025-05-15T10:00:00Z',
      }),
      otherInConsortium: await anEvent({
        organisationId: world.other.id,
        consortiumId,
        action: 'membership.suspended',
        entityType: 'membership',
        occurredAt: '2025-04-15T10:00:00Z',
      }),
      otherPrivate: await anEvent({
        organisationId: world.other.id,
        action: 'organisation.updated',
        occurredAt: '2025-04-16T10:00:00Z',
      }),
    };
    return {
      ...world,
      events,
      auth: {
        homeAdmin: await bearerFor(test, world.homeUsers.admin),
        homeViewer: await bearerFor(test, world.homeUsers.viewer),
        homeManager: await bearerFor(test, world.homeUsers.manager),
        homeFinance: await bearerFor(test, world.homeUsers.finance),
        consortiumAdmin: await bearerFor(test, world.consortiumAdmin),
      },
    };
  }

  const ids = (response: { body: { data: { id: string }[] } }) => response.body.data.map((e) => e.id);

  it('shows an organisation’s administrator its own organisation’s events, newest first, and nobody else’s', async () => {
    const w = await aWorld();
    const response = await test.http().get('/api/v1/audit-events').set(w.auth.homeAdmin).expect(200);
    expect(ids(response)).toEqual([w.events.homeMay, w.events.homeMarch, w.events.homeJanuary]);
    expect(response.body.data[0]).toEqual({
      id: w.events.homeMay,
      occurredAt: '2025-05-15T10:00:00.000Z',
      actorType: 'user',
      actorId: w.homeUsers.admin.id,
      actorLabel: 'someone@example.gov.uk',
      organisationId: w.home.id,
      consortiumId: null,
      action: 'user.created',
      entityType: 'user',
      entityId: expect.any(String),
      changes: {},
      requestId: 'test-request',
    });
  });

  it('includes the events the caller’s own requests wrote', async () => {
    const w = await aWorld();
    const patched = await test
      .http()
      .patch(`/api/v1/organisations/${w.home.id}`)
      .set(w.auth.homeAdmin)
      .send({ contactName: 'Head of ICT' })
      .expect(200);
    const response = await test
      .http()
      .get('/api/v1/audit-events')
      .query({ entityId: w.home.id, action: 'organisation.updated' })
      .set(w.auth.homeAdmin)
      .expect(200);
    expect(response.body.data).toEqual([
      expect.objectContaining({
        actorId: w.homeUsers.admin.id,
        requestId: patched.headers['x-request-id'],
        changes: { contactName: { from: null, to: 'Head of ICT' } },
      }),
    ]);
  });

  it('shows a consortium administrator the consortium’s events, whichever member they belong to', async () => {
    const w = await aWorld();
    const response = await test
      .http()
      .get('/api/v1/audit-events')
      .query({ consortiumId: w.consortium.id, sort: 'occurredAt' })
      .set(w.auth.consortiumAdmin)
      .expect(200);
    expect(ids(response)).toEqual([w.events.homeMarch, w.events.otherInConsortium]);
  });

  it('narrows an organisation administrator’s own events to a consortium they do not administer', async () => {
    const w = await aWorld();
    const response = await test
      .http()
      .get('/api/v1/audit-events')
      .query({ consortiumId: w.consortium.id })
      .set(w.auth.homeAdmin)
      .expect(200);
    expect(ids(response)).toEqual([w.events.homeMarch]);
  });

  it('filters by action, entity type, entity, actor and time range (from inclusive, to exclusive)', async () => {
    const w = await aWorld();
    const list = (query: Record<string, string>) =>
      test.http().get('/api/v1/audit-events').query(query).set(w.auth.homeAdmin).expect(200);
    expect(ids(await list({ action: 'user.created' }))).toEqual([w.events.homeMay]);
    expect(ids(await list({ entityType: 'membership' }))).toEqual([w.events.homeMarch]);
    expect(ids(await list({ entityId: w.home.id }))).toEqual([]);
    expect(ids(await list({ actorId: w.homeUsers.admin.id }))).toEqual([
      w.events.homeMay,
      w.events.homeJanuary,
    ]);
    expect(ids(await list({ from: '2025-03-15T10:00:00Z', to: '2025-05-15T10:00:00Z' }))).toEqual([
      w.events.homeMarch,
    ]);
    expect(ids(await list({ from: '2025-02-01' }))).toEqual([w.events.homeMay, w.events.homeMarch]);
  });

  it('pages through the events with a cursor', async () => {
    const w = await aWorld();
    const first = await test
      .http()
      .get('/api/v1/audit-events')
      .query({ limit: 2 })
      .set(w.auth.homeAdmin)
      .expect(200);
    expect(ids(first)).toEqual([w.events.homeMay, w.events.homeMarch]);
    expect(first.body.page).toEqual({ nextCursor: expect.any(String), limit: 2 });
    const second = await test
      .http()
      .get('/api/v1/audit-events')
      .query({ limit: 2, cursor: first.body.page.nextCursor })
      .set(w.auth.homeAdmin)
      .expect(200);
    expect(ids(second)).toEqual([w.events.homeJanuary]);
    expect(second.body.page.nextCursor).toBeNull();
  });

  it('refuses viewers, service managers and finance users (403)', async () => {
    const w = await aWorld();
    for (const auth of [w.auth.homeViewer, w.auth.homeManager, w.auth.homeFinance]) {
      const response = await test.http().get('/api/v1/audit-events').set(auth).expect(403);
      expect(response.body.type).toBe('urn:consortium:problem:forbidden');
    }
  });

  it('refuses a consortium administrator who does not name their consortium, or names another (403)', async () => {
    const w = await aWorld();
    // The consortium administrator is a viewer of their organisation.
    await test.http().get('/api/v1/audit-events').set(w.auth.consortiumAdmin).expect(403);
    const elsewhere = await aConsortiumWithMembers(ds);
    await test
      .http()
      .get('/api/v1/audit-events')
      .query({ consortiumId: elsewhere.consortium.id })
      .set(w.auth.consortiumAdmin)
      .expect(403);
  });

  it('shows an API key with audit:read its organisation’s events, and refuses other keys', async () => {
    const w = await aWorld();
    const auditor = await anApiKey(ds, w.other, ['audit:read']);
    const response = await test.http().get('/api/v1/audit-events').set(auditor.header).expect(200);
    expect(ids(response)).toEqual([w.events.otherPrivate, w.events.otherInConsortium]);
    const reader = await anApiKey(ds, w.other, ['organisation:read', 'members:read']);
    await test.http().get('/api/v1/audit-events').set(reader.header).expect(403);
  });

  it('shows a superadmin every organisation’s events', async () => {
    const w = await aWorld();
    const superadmin = await bearerFor(test, await aSuperadmin(ds));
    const response = await test
      .http()
      .get('/api/v1/audit-events')
      .query({ action: 'organisation.updated', from: '2025-01-01', to: '2025-06-01', limit: 200 })
      .set(superadmin)
      .expect(200);
    expect(ids(response)).toEqual(expect.arrayContaining([w.events.homeJanuary, w.events.otherPrivate]));
  });

  it('validates the filters: bad dates, a reversed range, a bad uuid, unknown parameters and sort fields', async () => {
    const w = await aWorld();
    const bad = async (query: Record<string, string>, field: string) => {
      const response = await test
        .http()
        .get('/api/v1/audit-events')
        .query(query)
        .set(w.auth.homeAdmin)
        .expect(400);
      expect(response.body).toMatchObject({ type: 'urn:consortium:problem:validation-error', status: 400 });
      expect(response.body.errors).toEqual([expect.objectContaining({ field })]);
    };
    await bad({ from: 'last tuesday' }, 'from');
    await bad({ to: '2025-13-45' }, 'to');
    await bad({ from: '2025-06-01', to: '2025-01-01' }, 'from');
    await bad({ consortiumId: 'eastern' }, 'consortiumId');
    await bad({ actorId: '42' }, 'actorId');
    await bad({ organisationId: w.other.id }, 'organisationId');
    await bad({ sort: 'action' }, 'sort');
    await bad({ limit: '500' }, 'limit');
  });
});
