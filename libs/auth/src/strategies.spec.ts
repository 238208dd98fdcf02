import type { Actor } from './actor';
import type { ActorDirectory } from './actor-directory';
import { ApiKeyStrategy } from './api-key.strategy';
import { JwtStrategy } from './jwt.strategy';
import { accessTokenKey } from './secrets';

const actor: Actor = {
  kind: 'user',
  id: 'user-1',
  label: 'someone@norfolk.gov.uk',
  organisationId: 'norfolk',
  roles: ['viewer'],
  scopes: [],
  isSuperadmin: false,
  consortiumAdminOf: [],
  activeConsortia: [],
};

/** A directory that knows one user and one key: the strategies' only collaborator. */
class OneActorDirectory implements ActorDirectory {
  readonly keysPresented: string[] = [];
  async actorForCredentials(): Promise<Actor | null> {
    return null;
  }
  async actorForUser(userId: string): Promise<Actor | null> {
    return userId === actor.id ? actor : null;
  }
  async actorForApiKey(presentedKey: string): Promise<Actor | null> {
    this.keysPresented.push(presentedKey);
    return presentedKey === 'csk_known' ? { ...actor, kind: 'api_key' } : null;
  }
}

describe('JwtStrategy', () => {
  const strategy = new JwtStrategy(
    { jwtKey: accessTokenKey('a-signing-key-long-enough-for-the-tests'), accessTokenTtlSeconds: 900 },
    new OneActorDirectory(),
  );

  it('turns the claims of an access token into the user it names', async () => {
    await expect(strategy.validate({ sub: 'user-1', org: 'norfolk', typ: 'access' })).resolves.toBe(actor);
  });

  it('refuses a token that is not an access token', async () => {
    const claims = { sub: 'user-1', org: 'norfolk', typ: 'refresh' } as unknown as Parameters<
      JwtStrategy['validate']
    >[0];
    await expect(strategy.validate(claims)).resolves.toBe(false);
  });

  it('refuses a token for a user the directory no longer knows (deleted or disabled)', async () => {
    await expect(strategy.validate({ sub: 'user-2', org: 'norfolk', typ: 'access' })).resolves.toBe(false);
  });
});

describe('ApiKeyStrategy', () => {
  it('looks up the key in the X-API-Key header', async () => {
    const directory = new OneActorDirectory();
    const strategy = new ApiKeyStrategy(directory);
    await expect(strategy.validate({ headers: { 'x-api-key': 'csk_known' } })).resolves.toMatchObject({
      kind: 'api_key',
    });
    await expect(strategy.validate({ headers: { 'x-api-key': 'csk_unknown' } })).resolves.toBe(false);
  });

  it('fails without asking the directory when the header is missing, empty or repeated', async () => {
    const directory = new OneActorDirectory();
    const strategy = new ApiKeyStrategy(directory);
    await expect(strategy.validate({ headers: {} })).resolves.toBe(false);
    await expect(strategy.validate({ headers: { 'x-api-key': '' } })).resolves.toBe(false);
    await expect(strategy.validate({ headers: { 'x-api-key': ['csk_known', 'csk_known'] } })).resolves.toBe(
      false,
    );
    expect(directory.keysPresented).toEqual([]);
  });
});
