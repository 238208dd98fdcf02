import { addDays } from '@consortium/domain';
import { DataSource } from 'typeorm';
import { ukToday } from '../src/modules/catalogue/compliance-status';
import {
  aConsortiumWithMembers,
  anApiKey,
  anAttestation,
  anOrganisation,
  aService,
  auditEventsFor,
  aUser,
  bearerFor,
} from './support/builders';
import { createTestApp, TestApp } from './support/test-app';

type Auth = Record<string, string>;

describe('service compliance', () => {
  let test: TestApp;
  let ds: DataSource;
  const today = ukToday();
  const inDays = (days: number) => addDays(today, days);

  beforeAll(async () => {
    test = await createTestApp();
    ds = test.dataSource;
  });
  afterAll(() => test.close());

  const attest = (auth: Auth, serviceId: string, body: object) =>
    test.http().post(`/api/v1/services/${serviceId}/compliance`).set(auth).send(body);
  const remove = (auth: Auth, serviceId: string, attestationId: string) =>
    test.http().delete(`/api/v1/services/${serviceId}/compliance/${attestationId}`).set(auth);
  const getService = (auth: Auth, id: string) => test.http().get(`/api/v1/services/${id}`).set(auth);
  const register = (auth: Auth, consortiumId: string, query = '') =>
    test.http().get(`/api/v1/consortia/${consortiumId}/compliance${query}`).set(auth);

  async function aMarket() {
    const cast = await aConsortiumWithMembers(ds);
    return {
      ...cast,
      provider: await bearerFor(test, cast.homeUsers.manager),
      member: await bearerFor(test, cast.otherUsers.viewer),
      offer: (overrides: Parameters<typeof aService>[3] = {}) =>
        aService(ds, cast.consortium, cast.home, overrides),
    };
  }

  const aCertificate = (overrides: object = {}) => ({
    kind: 'psn_compliance',
    certificateReference: 'PSN-2025-0413',
    issuedOn: inDays(-30),
    expiresOn: inDays(335),
    ...overrides,
  });

  describe('POST /services/:id/compliance', () => {
    it('records a certificate, required by default, with its standing, and audits it', async () => {
      const market = await aMarket();
      const service = await market.offer();

      const response = await attest(market.provider, service.id, aCertificate()).expect(201);

      expect(response.body).toEqual({
        id: expect.any(String),
        serviceId: service.id,
        kind: 'psn_compliance',
        certificateReference: 'PSN-2025-0413',
        issuedOn: inDays(-30),
        expiresOn: inDays(335),
        required: true,
        standing: 'valid',
        createdAt: expect.any(String),
      });
      const [event] = await auditEventsFor(ds, response.body.id);
      expect(event).toMatchObject({ action: 'compliance.attested', organisationId: market.home.id });
      expect(event.changes).toMatchObject({ serviceId: service.id, kind: 'psn_compliance' });
      const shown = await getService(market.member, service.id).expect(200);
      expect(shown.body.compliance).toEqual({ status: 'compliant', attestations: [response.body] });
    });

    it('refuses an expiry before the issue date, an impossible date and an unknown kind (400)', async () => {
      const market = await aMarket();
      const service = await market.offer();

      const backwards = await attest(
        market.provider,
        service.id,
        aCertificate({ issuedOn: '2025-06-01', expiresOn: '2025-05-31' }),
      ).expect(400);
      const impossible = await attest(
        market.provider,
        service.id,
        aCertificate({ issuedOn: '2025-02-30' }),
      ).expect(400);
      const unknown = await attest(market.provider, service.id, aCertificate({ kind: 'gold_star' })).expect(
        400,
      );

      expect(backwards.body.errors).toEqual([{ field: 'expiresOn', message: expect.any(String) }]);
      expect(impossible.body.errors).toEqual([{ field: 'issuedOn', message: expect.any(String) }]);
      expect(unknown.body.errors.map((e: { field: string }) => e.field)).toEqual(['kind']);
    });

    it('refuses another member (403), a viewer (403), a non-member (404) and a key without catalogue:write (403)', async () => {
      const market = await aMarket();
      const service = await market.offer();
      const outsider = await bearerFor(test, await aUser(ds, await anOrganisation(ds), ['service_manager']));
      const reader = await anApiKey(ds, market.home, ['catalogue:read']);

      await attest(await bearerFor(test, market.otherUsers.manager), service.id, aCertificate()).expect(403);
      await attest(await bearerFor(test, market.homeUsers.viewer), service.id, aCertificate()).expect(403);
      await attest(outsider, service.id, aCertificate()).expect(404);
      await attest(reader.header, service.id, aCertificate()).expect(403);

      expect(
        await ds.query('SELECT id FROM compliance_attestations WHERE service_id = $1', [service.id]),
      ).toEqual([]);
    });
  });

  describe('compliance status of a service', () => {
    it.each([
      ['compliant', 'all required certificates are valid', [{ expiresOn: 200 }]],
      [
        'expiring',
        'a required certificate expires within 30 days',
        [{ expiresOn: 200 }, { expiresOn: 30, kind: 'iso_27001' }],
      ],
      ['expiring', 'a required certificate expires today', [{ expiresOn: 0 }]],
      [
        'non_compliant',
        'a required certificate has expired',
        [{ expiresOn: 10 }, { expiresOn: -1, kind: 'cyber_essentials_plus' }],
      ],
      [
        'compliant',
        'only a certificate that is not required has expired',
        [{ expiresOn: -10, required: false }],
      ],
      [
        'compliant',
        'an expired certificate has been renewed',
        [
          { expiresOn: -10, issuedOn: -375 },
          { expiresOn: 355, issuedOn: -10 },
        ],
      ],
    ] as const)('is %s when %s', async (status, _because, certificates) => {
      const market = await aMarket();
      const service = await market.offer();
      for (const certificate of certificates) {
        await anAttestation(ds, service, {
          kind: 'kind' in certificate ? certificate.kind : 'psn_compliance',
          expiresOn: inDays(certificate.expiresOn),
          issuedOn: inDays('issuedOn' in certificate ? certificate.issuedOn : -400),
          required: 'required' in certificate ? certificate.required : true,
        });
      }

      const response = await getService(market.member, service.id).expect(200);

      expect(response.body.compliance.status).toBe(status);
    });

    it('gives each certificate its own standing: valid, expiring within 30 days, expired', async () => {
      const market = await aMarket();
      const service = await market.offer();
      await anAttestation(ds, service, { kind: 'iso_27001', issuedOn: inDays(-400), expiresOn: inDays(31) });
      await anAttestation(ds, service, {
        kind: 'cyber_essentials',
        issuedOn: inDays(-400),
        expiresOn: inDays(30),
      });
      await anAttestation(ds, service, {
        kind: 'psn_compliance',
        issuedOn: inDays(-400),
        expiresOn: inDays(-1),
      });

      const response = await getService(market.member, service.id).expect(200);

      expect(
        response.body.compliance.attestations.map((a: { kind: string; standing: string }) => [
          a.kind,
          a.standing,
        ]),
      ).toEqual([
        ['psn_compliance', 'expired'],
        ['cyber_essentials', 'expiring'],
        ['iso_27001', 'valid'],
      ]);
    });
  });

  describe('DELETE /services/:id/compliance/:attestationId', () => {
    it('removes a certificate and audits what was removed', async () => {
      const market = await aMarket();
      const service = await market.offer();
      const certificate = await anAttestation(ds, service);

      await remove(market.provider, service.id, certificate.id).expect(204);

      const shown = await getService(market.member, service.id).expect(200);
      expect(shown.body.compliance.attestations).toEqual([]);
      const [event] = await auditEventsFor(ds, certificate.id);
      expect(event).toMatchObject({ action: 'compliance.removed' });
      expect(event.changes).toMatchObject({
        serviceId: service.id,
        certificateReference: certificate.certificateReference,
      });
    });

    it('answers 404 for a certificate of another service, and 403 to another member', async () => {
      const market = await aMarket();
      const service = await market.offer();
      const otherService = await market.offer();
      const certificate = await anAttestation(ds, otherService);

      await remove(market.provider, service.id, certificate.id).expect(404);
      await remove(await bearerFor(test, market.otherUsers.admin), otherService.id, certificate.id).expect(
        403,
      );

      expect(
        await ds.query('SELECT id FROM compliance_attestations WHERE id = $1', [certificate.id]),
      ).toHaveLength(1);
    });
  });

  describe('GET /consortia/:id/compliance', () => {
    async function aRegister() {
      const market = await aMarket();
      const backup = await market.offer({ title: 'Backup' });
      const network = await aService(ds, market.consortium, market.other, { title: 'Network' });
      const draft = await aService(ds, market.consortium, market.other, { title: 'Hidden', status: 'draft' });
      await anAttestation(ds, backup, {
        kind: 'psn_compliance',
        issuedOn: inDays(-400),
        expiresOn: inDays(-3),
      });
      await anAttestation(ds, backup, { kind: 'iso_27001', issuedOn: inDays(-300), expiresOn: inDays(10) });
      await anAttestation(ds, network, {
        kind: 'cyber_essentials',
        issuedOn: inDays(-10),
        expiresOn: inDays(355),
      });
      await anAttestation(ds, draft, { kind: 'pci_dss', issuedOn: inDays(-10), expiresOn: inDays(100) });
      return market;
    }
    const summary = (body: { data: { serviceTitle: string; kind: string; standing: string }[] }) =>
      body.data.map((a) => `${a.serviceTitle}: ${a.kind} ${a.standing}`);

    it('lists every certificate on the services a member can see, soonest expiry first, with service and provider', async () => {
      const market = await aRegister();

      const response = await register(market.provider, market.consortium.id).expect(200);

      expect(summary(response.body)).toEqual([
        'Backup: psn_compliance expired',
        'Backup: iso_27001 expiring',
        'Network: cyber_essentials valid',
      ]);
      expect(response.body.data[2]).toMatchObject({
        serviceStatus: 'published',
        provider: { id: market.other.id, name: market.other.name, type: market.other.type },
      });
    });

    it('filters by standing, kind and provider', async () => {
      const market = await aRegister();
      const list = (query: string) => register(market.member, market.consortium.id, query).expect(200);

      expect(summary((await list('?standing=expired')).body)).toEqual(['Backup: psn_compliance expired']);
      expect(summary((await list('?standing=expiring')).body)).toEqual(['Backup: iso_27001 expiring']);
      // The member provides the draft, so it sees the draft's certificate too.
      expect(summary((await list('?standing=valid')).body)).toEqual([
        'Hidden: pci_dss valid',
        'Network: cyber_essentials valid',
      ]);
      expect(summary((await list('?kind=iso_27001')).body)).toEqual(['Backup: iso_27001 expiring']);
      expect(summary((await list(`?providerId=${market.home.id}`)).body)).toEqual([
        'Backup: psn_compliance expired',
        'Backup: iso_27001 expiring',
      ]);
    });

    it('is open to the consortium’s administrators, and not found for organisations outside it', async () => {
      const market = await aRegister();
      const outsider = await bearerFor(test, await aUser(ds, await anOrganisation(ds), ['org_admin']));

      const admin = await register(
        await bearerFor(test, market.consortiumAdmin),
        market.consortium.id,
      ).expect(200);
      const refused = await register(outsider, market.consortium.id).expect(404);

      expect(admin.body.data).toHaveLength(3);
      expect(refused.body).toMatchObject({ type: 'urn:consortium:problem:not-found' });
    });

    it('refuses an unknown standing (400)', async () => {
      const market = await aMarket();

      const response = await register(market.member, market.consortium.id, '?standing=lapsed').expect(400);

      expect(response.body.errors.map((e: { field: string }) => e.field)).toEqual(['standing']);
    });
  });
});
