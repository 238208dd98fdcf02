import {
  aConsortiumWithMembers,
  anApiKey,
  aSuperadmin,
  bearerFor,
  makeConsortiumAdmin,
} from './support/builders';
import { createTestApp, type TestApp } from './support/test-app';

/** Names every plain JavaScript object inherits: a sort field looked up on a plain object would find them. */
const INHERITED_NAMES = ['constructor', 'toString', 'valueOf', 'hasOwnProperty', '-constructor', '-toString'];

interface OpenApiOperation {
  parameters?: { in: string; name: string }[];
}

describe('List sorting', () => {
  let test: TestApp;
  let lists: string[];
  let callers: Record<string, string>[];

  beforeAll(async () => {
    test = await createTestApp();
    const ds = test.dataSource;
    const world = await aConsortiumWithMembers(ds);
    const document = (await test.http().get('/api/docs/openapi.json').expect(200)).body as {
      paths: Record<string, { get?: OpenApiOperation }>;
    };
    // Every list (a GET taking `sort`) whose path needs no id.
    lists = Object.entries(document.paths)
      .filter(([path, item]) => !path.includes('{') && item.get?.parameters?.some((p) => p.name === 'sort'))
      .map(([path]) => path);
    const superadmin = await aSuperadmin(ds);
    await makeConsortiumAdmin(ds, world.consortium, superadmin);
    callers = [
      await bearerFor(test, superadmin),
      await bearerFor(test, world.homeUsers.admin),
      await bearerFor(test, world.homeUsers.finance),
      (
        await anApiKey(ds, world.home, [
          'audit:read',
          'charges:read',
          'ledger:read',
          'events:read',
          'webhooks:manage',
        ])
      ).header,
    ];
  });
  afterAll(() => test.close());

  it('finds the lists to try', () => {
    expect(lists.length).toBeGreaterThan(10);
  });

  it.each(INHERITED_NAMES)(
    'refuses sort=%s on every list with a validation problem, never a 500',
    async (sort) => {
      // Each list is tried with callers in turn until one may read it (the others are refused before sorting).
      const answers: Record<string, number[]> = {};
      for (const path of lists) {
        answers[path] = [];
        for (const caller of callers) {
          const response = await test.http().get(path).query({ sort }).set(caller);
          answers[path].push(response.status);
          if (response.status !== 400) continue;
          expect(response.body.errors).toEqual([
            { field: 'sort', message: expect.stringMatching(/^sort must be one of: /) },
          ]);
          break;
        }
      }
      expect(Object.entries(answers).filter(([, statuses]) => statuses.at(-1) !== 400)).toEqual([]);
    },
  );
});
