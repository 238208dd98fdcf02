import type { Actor } from './actor';
import type { AccessTokenClaims, ActorDirectory } from './actor-directory';
import { ApiKeyStrategy } from './api-key.strategy';
import { JwtStrategy } from './jwt.strategy';
import { accessTokenKey } from './secrets';

const USER_ID = '0b0f4a52-7d1e-4a55-9a5e-2f3c1b6a9d10';
const LIVE_SESSION = '5f1d3c2a-8e4b-4c6d-9f7a-1b2c3d4e5f60';
const ENDED_SESSION = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';

const actor: Actor = {
  kind: 'user',
  id: USER_ID,
  label: 'someone@norfolk.gov.uk',
  organisationId: 'norfolk',
  roles: ['viewer'],
  scopes: [],
  isSuperadmin: false,
  consortiumAdminOf: [],
  activeConsortia: [],
};

/** A directory that knows one user with one live session, and one key: the strategies' only collaborator. */
class OneActorDirectory implements ActorDirectory {
  readonly keysPresented: string[] = [];
  readonly sessionsAsked: string[] = [];
  async actorForCredentials(): Promise<Actor | null> {
    return null;
  }
  async actorForUser(userId: string): Promise<Actor | null> {
    return userId === actor.id ? actor : null;
  }
  async actorForSession(userId: string, sessionId: string): Promise<Actor | null> {
    this.sessionsAsked.push(sessionId);
    return userId === actor.id && sessionId === LIVE_SESSION ? actor : null;
  }
  async actorForApiKey(presentedKey: string): Promise<Actor | null> {
    this.keysPresented.push(presentedKey);
    return presentedKey === 'csk_known' ? { ...actor, kind: 'api_key' } : null;
  }
}

describe('JwtStrategy', () => {
  const directory = new OneActorDirectory();
  const strategy = new JwtStrategy(
    { jwtKey: accessTokenKey('a-signing-key-long-enough-for-the-tests'), accessTokenTtlSeconds: 900 },
    directory,
  );
  const claims = (overrides: Record<string, unknown> = {}) =>
    ({ sub: USER_ID, org: 'norfolk', typ: 'access', sid: LIVE_SESSION, ...overrides }) as AccessTokenClaims;

  it('turns the claims of an access token into the user it names, in the session it names', async () => {
    await expect(strategy.validate(claims())).resolves.toBe(actor);
  });

  it('refuses a token that is not an access token', async () => {
    await expect(strategy.validate(claims({ typ: 'refresh' }))).resolves.toBe(false);
  });

  it('refuses a token for a user the directory no longer knows (deleted or disabled)', async () => {
    await expect(strategy.validate(claims({ sub: 'c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f' }))).resolves.toBe(
      false,
    );
  });

  it('refuses a token whose session has ended (signed out, its refresh token reused)', async () => {
    await expect(strategy.validate(claims({ sid: ENDED_SESSION }))).resolves.toBe(false);
  });

  it('refuses, without asking the directory, a token naming no session or something that is not an id', async () => {
    const asked = directory.sessionsAsked.length;
    await expect(strategy.validate(claims({ sid: undefined }))).resolves.toBe(false);
    await expect(strategy.validate(claims({ sid: "x' OR '1'='1" }))).resolves.toBe(false);
    await expect(strategy.validate(claims({ sub: 'user-1' }))).resolves.toBe(false);
    expect(directory.sessionsAsked).toHaveLength(asked);
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
