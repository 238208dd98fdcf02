import { addDays } from '@consortium/domain';
import { DataSource } from 'typeorm';
import { ukToday } from '../src/modules/catalogue/compliance-status';
import { Service } from '../src/modules/catalogue/service.entity';
import {
  aConsortiumWithMembers,
  anApiKey,
  anAttestation,
  anOrganisation,
  aMembership,
  aPriceVersion,
  aService,
  aSubscriptionTo,
  aUser,
  bearerFor,
  unique,
} from './support/builders';
import { createTestApp, TestApp } from './support/test-app';

type Auth = Record<string, string>;

/** Browse and search: each test arranges its own consortium, so counts and rankings see only its services. */
describe('browsing and searching the catalogue', () => {
  let test: TestApp;
  let ds: DataSource;

  beforeAll(async () => {
    test = await createTestApp();
    ds = test.dataSource;
  });
  afterAll(() => test.close());

  const browse = (auth: Auth, query = '') => test.http().get(`/api/v1/services${query}`).set(auth);
  const titles = (body: { data: { title: string }[] }) => body.data.map((s) => s.title);

  /** A consortium with a providing member (home), a browsing member (other) and bearer headers for both. */
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

  it('lists the published services of the caller’s consortia by title, not drafts, retired ones or other consortia', async () => {
    const market = await aMarket();
    await market.offer({ title: 'Backup' });
    await market.offer({ title: 'Antivirus' });
    await market.offer({ title: 'Draft idea', status: 'draft' });
    await market.offer({ title: 'Old service', status: 'retired' });
    const elsewhere = await aConsortiumWithMembers(ds);
    await aService(ds, elsewhere.consortium, elsewhere.home, { title: 'Elsewhere' });

    const response = await browse(market.member).expect(200);

    expect(titles(response.body)).toEqual(['Antivirus', 'Backup']);
    expect(response.body.page).toEqual({ nextCursor: null, limit: 50 });
    expect(response.body.data[0]).toMatchObject({
      provider: { id: market.home.id, name: market.home.name },
      price: { version: 1, model: 'per_unit' },
      capacity: { limit: null, inUse: 0 },
      compliance: { status: 'compliant' },
    });
  });

  it('lists the caller’s own services in every status with mine=true, and only drafts with status=draft', async () => {
    const market = await aMarket();
    await market.offer({ title: 'Live' });
    await market.offer({ title: 'Planned', status: 'draft' });
    await market.offer({ title: 'Paused', status: 'suspended' });
    await aService(ds, market.consortium, market.other, { title: 'Theirs' });
    await aService(ds, market.consortium, market.other, { title: 'Their draft', status: 'draft' });

    const mine = await browse(market.provider, '?mine=true').expect(200);
    const drafts = await browse(market.provider, '?status=draft').expect(200);
    const memberDrafts = await browse(market.member, '?status=draft').expect(200);

    expect(titles(mine.body)).toEqual(['Live', 'Paused', 'Planned']);
    expect(titles(drafts.body)).toEqual(['Planned']);
    expect(titles(memberDrafts.body)).toEqual(['Their draft']);
  });

  it('shows suspended services to the consortium’s administrators but not to members who do not subscribe', async () => {
    const market = await aMarket();
    await market.offer({ title: 'Paused', status: 'suspended' });

    const admin = await browse(await bearerFor(test, market.consortiumAdmin), '?status=suspended').expect(
      200,
    );
    const member = await browse(market.member, '?status=suspended').expect(200);

    expect(titles(admin.body)).toEqual(['Paused']);
    expect(titles(member.body)).toEqual([]);
  });

  describe('full-text search', () => {
    it('ranks a match in the title above a match in the description', async () => {
      const market = await aMarket();
      await market.offer({
        title: 'Managed firewalls',
        description: 'Includes disaster recovery of firewall configuration.',
      });
      await market.offer({ title: 'Disaster recovery', description: 'Standby servers.' });
      await market.offer({ title: 'Service desk', description: 'Calls answered around the clock.' });

      const response = await browse(market.member, `?q=${encodeURIComponent('disaster recovery')}`).expect(
        200,
      );

      expect(titles(response.body)).toEqual(['Disaster recovery', 'Managed firewalls']);
    });

    it('stems English words: "hosts" finds "hosting"', async () => {
      const market = await aMarket();
      await market.offer({ title: 'Data centre hosting' });
      await market.offer({ title: 'Telephony', category: 'telephony' });

      const response = await browse(market.member, '?q=hosts').expect(200);

      expect(titles(response.body)).toEqual(['Data centre hosting']);
    });

    it('searches the summary, the category and the provider’s name too', async () => {
      const market = await aMarket();
      const provider = await anOrganisation(ds, { name: unique('Lincolnshire County Council') });
      await aMembership(ds, market.consortium, provider);
      await aService(ds, market.consortium, provider, { title: 'Racks' });
      await market.offer({ title: 'Health checks', category: 'psn_compliance' });
      await market.offer({ title: 'Desk', summary: 'Password resets for schools.' });

      const byProvider = await browse(market.member, '?q=lincolnshire').expect(200);
      const byCategory = await browse(market.member, `?q=${encodeURIComponent('psn compliance')}`).expect(
        200,
      );
      const bySummary = await browse(market.member, '?q=passwords').expect(200);

      expect(titles(byProvider.body)).toEqual(['Racks']);
      expect(titles(byCategory.body)).toEqual(['Health checks']);
      expect(titles(bySummary.body)).toEqual(['Desk']);
    });

    it('pages through ranked results without repeating or skipping any', async () => {
      const market = await aMarket();
      await market.offer({ title: 'Network monitoring', description: 'network network network' });
      await market.offer({ title: 'Network', description: 'Wide-area network.' });
      await market.offer({ title: 'Wide-area links', description: 'A network of links.' });
      await market.offer({ title: 'Firewalls', description: 'For your network.' });
      const all = await browse(market.member, '?q=network').expect(200);

      const seen: string[] = [];
      let cursor = '';
      do {
        const page = await browse(market.member, `?q=network&limit=1${cursor && `&cursor=${cursor}`}`).expect(
          200,
        );
        seen.push(...titles(page.body));
        cursor = page.body.page.nextCursor ?? '';
      } while (cursor);

      expect(all.body.data).toHaveLength(4);
      expect(seen).toEqual(titles(all.body));
    });

    it('sorts search results by title when asked, and refuses relevance without a search (400)', async () => {
      const market = await aMarket();
      await market.offer({ title: 'Zebra crossings network' });
      await market.offer({ title: 'Network', description: 'network' });

      const byTitle = await browse(market.member, '?q=network&sort=title').expect(200);
      const refused = await browse(market.member, '?sort=relevance').expect(400);

      expect(titles(byTitle.body)).toEqual(['Network', 'Zebra crossings network']);
      expect(refused.body.errors).toEqual([{ field: 'sort', message: expect.stringContaining('title') }]);
    });
  });

  describe('filters', () => {
    it('filters by category, provider and consortium', async () => {
      const market = await aMarket();
      await market.offer({ title: 'Backup', category: 'disaster_recovery' });
      await market.offer({ title: 'Desk', category: 'service_desk' });
      await aService(ds, market.consortium, market.other, { title: 'Their desk', category: 'service_desk' });

      const category = await browse(market.member, '?category=service_desk').expect(200);
      const provider = await browse(market.member, `?providerId=${market.other.id}`).expect(200);
      const consortium = await browse(market.member, `?consortiumId=${market.consortium.id}`).expect(200);

      expect(titles(category.body)).toEqual(['Desk', 'Their desk']);
      expect(titles(provider.body)).toEqual(['Their desk']);
      expect(titles(consortium.body)).toEqual(['Backup', 'Desk', 'Their desk']);
    });

    it('filters by the provider’s type', async () => {
      const market = await aMarket();
      const company = await anOrganisation(ds, { type: 'ict_company' });
      await aMembership(ds, market.consortium, company);
      await aService(ds, market.consortium, company, { title: 'Desktops' });
      await market.offer({ title: 'Council service' });

      const response = await browse(market.member, '?providerType=ict_company').expect(200);

      expect(titles(response.body)).toEqual(['Desktops']);
    });

    it('filters by the current price plan’s model', async () => {
      const market = await aMarket();
      await market.offer({ title: 'Per device' });
      await market.offer({
        title: 'Flat',
        plan: { model: 'flat_fee', currency: 'GBP', feePerPeriod: '100.00' },
      });
      const changed = await market.offer({ title: 'Was per unit' });
      await aPriceVersion(ds, changed, { model: 'flat_fee', currency: 'GBP', feePerPeriod: '90.00' });

      const flat = await browse(market.member, '?priceModel=flat_fee').expect(200);
      const perUnit = await browse(market.member, '?priceModel=per_unit').expect(200);

      expect(titles(flat.body)).toEqual(['Flat', 'Was per unit']);
      expect(titles(perUnit.body)).toEqual(['Per device']);
    });

    it('filters by a certificate held and not expired', async () => {
      const market = await aMarket();
      const today = ukToday();
      const current = await market.offer({ title: 'Current PSN' });
      const lapsed = await market.offer({ title: 'Lapsed PSN' });
      const expiringToday = await market.offer({ title: 'PSN until today' });
      const iso = await market.offer({ title: 'ISO only' });
      await anAttestation(ds, current, { expiresOn: addDays(today, 200) });
      await anAttestation(ds, lapsed, { issuedOn: addDays(today, -400), expiresOn: addDays(today, -5) });
      await anAttestation(ds, expiringToday, { issuedOn: addDays(today, -300), expiresOn: today });
      await anAttestation(ds, iso, { kind: 'iso_27001' });

      const response = await browse(market.member, '?compliance=psn_compliance').expect(200);

      expect(titles(response.body)).toEqual(['Current PSN', 'PSN until today']);
    });

    it('filters by capacity left: unlimited services and those with room, not full ones', async () => {
      const market = await aMarket();
      const full = await market.offer({ title: 'Full', capacityLimit: 2, capacityUnit: 'units' });
      const room = await market.offer({ title: 'Room', capacityLimit: 2, capacityUnit: 'subscribers' });
      await market.offer({ title: 'Unlimited' });
      await aSubscriptionTo(ds, full, market.other, { quantity: 2 });
      await aSubscriptionTo(ds, room, market.other, { quantity: 50 });

      const available = await browse(market.member, '?hasCapacity=true').expect(200);
      const exhausted = await browse(market.member, '?hasCapacity=false').expect(200);

      expect(titles(available.body)).toEqual(['Room', 'Unlimited']);
      expect(titles(exhausted.body)).toEqual(['Full']);
    });

    it('refuses malformed filters with a validation problem naming each', async () => {
      const market = await aMarket();

      const response = await browse(
        market.member,
        '?category=gardening&providerId=nope&priceModel=auction&hasCapacity=yes&limit=500&colour=red',
      ).expect(400);

      expect(response.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
        'category',
        'colour',
        'hasCapacity',
        'limit',
        'priceModel',
        'providerId',
      ]);
    });
  });

  it('sorts by creation time either way', async () => {
    const market = await aMarket();
    const first = await market.offer({ title: 'B first' });
    const second = await market.offer({ title: 'A second' });
    await ds.getRepository(Service).update({ id: first.id }, { createdAt: new Date('2025-01-01T00:00:00Z') });
    await ds
      .getRepository(Service)
      .update({ id: second.id }, { createdAt: new Date('2025-02-01T00:00:00Z') });

    const newest = await browse(market.member, '?sort=-createdAt').expect(200);
    const oldest = await browse(market.member, '?sort=createdAt').expect(200);

    expect(titles(newest.body)).toEqual(['A second', 'B first']);
    expect(titles(oldest.body)).toEqual(['B first', 'A second']);
  });

  it('shows nothing to an organisation outside every consortium, and lets an API key browse with catalogue:read only', async () => {
    const market = await aMarket();
    await market.offer({ title: 'Backup' });
    const outsider = await bearerFor(test, await aUser(ds, await anOrganisation(ds), ['org_admin']));
    const reader = await anApiKey(ds, market.other, ['catalogue:read']);
    const writerOnly = await anApiKey(ds, market.other, ['catalogue:write']);

    const nothing = await browse(outsider).expect(200);
    const viaKey = await browse(reader.header).expect(200);
    await browse(writerOnly.header).expect(403);

    expect(nothing.body.data).toEqual([]);
    expect(titles(viaKey.body)).toEqual(['Backup']);
  });
});
