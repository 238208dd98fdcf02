import { ConfigurationError, loadEnvironment } from './environment';

describe('loadEnvironment', () => {
  it('starts with sensible defaults when nothing is set', () => {
    const env = loadEnvironment({});
    expect(env).toMatchObject({ NODE_ENV: 'development', PORT: 3000, DATA_DIR: '.data', LOG_LEVEL: 'info' });
    expect(env.DATABASE_URL).toBeUndefined();
  });

  it('reads PORT as a number', () => {
    expect(loadEnvironment({ PORT: '8080' }).PORT).toBe(8080);
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://root@localhost/db' }, 'DATABASE_URL'],
    [{ NODE_ENV: 'staging' }, 'NODE_ENV'],
    [{ JWT_SECRET: 'short' }, 'JWT_SECRET'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ ACCESS_TOKEN_TTL_SECONDS: '5' }, 'ACCESS_TOKEN_TTL_SECONDS'],
  ])('names the bad setting in %j', (source, name) => {
    expect(() => loadEnvironment(source)).toThrow(ConfigurationError);
    expect(() => loadEnvironment(source)).toThrow(new RegExp(name));
  });

  it('lists every bad setting at once', () => {
    expect(() => loadEnvironment({ PORT: 'x', NODE_ENV: 'staging' })).toThrow(
      /PORT[\s\S]*NODE_ENV|NODE_ENV[\s\S]*PORT/,
    );
  });

  it('refuses to run in production without a JWT signing key, a secrets key or a metrics token, naming each', () => {
    expect(() => loadEnvironment({ NODE_ENV: 'production' })).toThrow(
      /JWT_SECRET is required[\s\S]*SECRETS_KEY is required[\s\S]*METRICS_TOKEN is required/,
    );
    expect(() => loadEnvironment({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(48) })).toThrow(
      /SECRETS_KEY is required when NODE_ENV=production/,
    );
  });

  it('refuses a secrets key shorter than 32 characters', () => {
    expect(() => loadEnvironment({ SECRETS_KEY: 'short' })).toThrow(
      /SECRETS_KEY must be at least 32 characters/,
    );
  });

  it('refuses production with GET /metrics left open (no METRICS_TOKEN, or an empty one)', () => {
    const keys = { NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(48), SECRETS_KEY: 'y'.repeat(48) };
    for (const source of [keys, { ...keys, METRICS_TOKEN: '' }]) {
      expect(() => loadEnvironment(source)).toThrow(/METRICS_TOKEN is required when NODE_ENV=production/);
    }
  });

  it('accepts production with long enough keys and a database', () => {
    const env = loadEnvironment({
      NODE_ENV: 'production',
      JWT_SECRET: 'x'.repeat(48),
      SECRETS_KEY: 'y'.repeat(48),
      METRICS_TOKEN: 'z'.repeat(32),
      DATABASE_URL: 'postgres://app:secret@db:5432/consortium',
    });
    expect(env.NODE_ENV).toBe('production');
    expect(env.DATABASE_URL).toBe('postgres://app:secret@db:5432/consortium');
  });

  it('takes the owner role for migrations apart from the API role, never one without the other', () => {
    const env = loadEnvironment({
      DATABASE_URL: 'postgres://consortium_app:a@db:5432/consortium',
      MIGRATION_DATABASE_URL: 'postgres://consortium_owner:o@db:5432/consortium',
    });
    expect(env.MIGRATION_DATABASE_URL).toBe('postgres://consortium_owner:o@db:5432/consortium');
    expect(() => loadEnvironment({ MIGRATION_DATABASE_URL: 'postgres://owner@db/consortium' })).toThrow(
      /MIGRATION_DATABASE_URL needs DATABASE_URL/,
    );
    expect(() =>
      loadEnvironment({ DATABASE_URL: 'postgres://app@db/c', MIGRATION_DATABASE_URL: 'mysql://root@db/c' }),
    ).toThrow(/MIGRATION_DATABASE_URL must be a postgres:\/\/ connection URL/);
  });
});

describe('loadEnvironment: settings where empty means something', () => {
  it('keeps an empty ADMIN_UI_DIR, which turns the UI off', () => {
    expect(loadEnvironment({ ADMIN_UI_DIR: '' }).ADMIN_UI_DIR).toBe('');
  });

  it('reads SEED_DEMO_DATA as a boolean and leaves it unset by default', () => {
    expect(loadEnvironment({}).SEED_DEMO_DATA).toBeUndefined();
    expect(loadEnvironment({ SEED_DEMO_DATA: 'false' }).SEED_DEMO_DATA).toBe(false);
    expect(loadEnvironment({ SEED_DEMO_DATA: 'true' }).SEED_DEMO_DATA).toBe(true);
  });

  it('takes WEBHOOK_ALLOWED_NETWORKS as networks, addresses or none, and names an entry that is neither', () => {
    expect(
      loadEnvironment({ WEBHOOK_ALLOWED_NETWORKS: '10.20.0.0/16, fd00:1::/64,192.168.1.10' })
        .WEBHOOK_ALLOWED_NETWORKS,
    ).toBe('10.20.0.0/16, fd00:1::/64,192.168.1.10');
    expect(loadEnvironment({ WEBHOOK_ALLOWED_NETWORKS: 'none' }).WEBHOOK_ALLOWED_NETWORKS).toBe('none');
    expect(() => loadEnvironment({ WEBHOOK_ALLOWED_NETWORKS: '10.20.0.0/16,intranet' })).toThrow(
      /WEBHOOK_ALLOWED_NETWORKS: intranet is not a network/,
    );
    expect(() => loadEnvironment({ WEBHOOK_ALLOWED_NETWORKS: '10.0.0.0/33' })).toThrow(
      /WEBHOOK_ALLOWED_NETWORKS/,
    );
    expect(() => loadEnvironment({ WEBHOOK_ALLOWED_NETWORKS: '10' })).toThrow(/WEBHOOK_ALLOWED_NETWORKS/);
  });

  it('reads an empty METRICS_TOKEN (compose passes one when it is not set) as no token, and refuses a short one', () => {
    expect(loadEnvironment({ METRICS_TOKEN: '' }).METRICS_TOKEN).toBeUndefined();
    expect(() => loadEnvironment({ METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN/);
  });
});

describe('loadEnvironment: resuming interrupted charge runs', () => {
  it('counts a run as interrupted after 30 s without a heartbeat, and leaves the sweep interval to the app', () => {
    const env = loadEnvironment({});
    expect(env.CHARGE_RUN_STALE_SECONDS).toBe(30);
    // Unset: every 10 s, or off in tests (ChargeRunReclaimer decides).
    expect(env.CHARGE_RUN_RECLAIM_INTERVAL_SECONDS).toBeUndefined();
    expect(
      loadEnvironment({ CHARGE_RUN_RECLAIM_INTERVAL_SECONDS: '0' }).CHARGE_RUN_RECLAIM_INTERVAL_SECONDS,
    ).toBe(0);
  });

  it.each([
    [{ CHARGE_RUN_STALE_SECONDS: '2' }, 'CHARGE_RUN_STALE_SECONDS'],
    [{ CHARGE_RUN_STALE_SECONDS: 'half a minute' }, 'CHARGE_RUN_STALE_SECONDS'],
    [{ CHARGE_RUN_RECLAIM_INTERVAL_SECONDS: '-1' }, 'CHARGE_RUN_RECLAIM_INTERVAL_SECONDS'],
  ])('names the bad setting in %j', (source, name) => {
    expect(() => loadEnvironment(source)).toThrow(new RegExp(name));
  });
});
