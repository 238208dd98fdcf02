import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadEnvironment } from '../src/config/environment';

const ROOT = join(__dirname, '..', '..', '..');
const composeText = readFileSync(join(ROOT, 'docker', 'compose.yaml'), 'utf8');
const compose = parse(composeText, { merge: true }) as {
  services: Record<string, { image?: string; environment?: Record<string, string>; volumes?: string[] }>;
};

/** The variables docker/.env.example asks for (its `NAME=` lines, commented-out optional ones left aside). */
const exampleVariables = readFileSync(join(ROOT, 'docker', '.env.example'), 'utf8')
  .split('\n')
  .flatMap((line) => /^([A-Z_]+)=/.exec(line)?.[1] ?? []);

/** Compose's `${NAME}`, `${NAME:-default}` and `${NAME:?message}`, filled from `values`. */
const substitute = (text: string, values: Record<string, string>) =>
  text.replace(
    /\$\{([A-Z_]+)(?::([-?])([^}]*))?\}/g,
    (_match, name: string, kind?: string, rest?: string) => {
      if (values[name] !== undefined) return values[name];
      if (kind === '?') throw new Error(`compose needs ${name}`);
      return kind === '-' ? (rest ?? '') : '';
    },
  );

describe('docker/compose.yaml', () => {
  const values = {
    JWT_SECRET: 'j'.repeat(48),
    SECRETS_KEY: 's'.repeat(48),
    METRICS_TOKEN: 'm'.repeat(32),
    POSTGRES_PASSWORD: 'pw',
    DATABASE_OWNER_PASSWORD: 'ownerpw',
    DATABASE_APP_PASSWORD: 'apppw',
  };
  const environmentOf = (name: string) =>
    Object.fromEntries(
      Object.entries(compose.services[name].environment ?? {}).map(([key, value]) => [
        key,
        substitute(String(value), values),
      ]),
    );
  const userOf = (url: string) => new URL(url).username;
  const appServices = Object.entries(compose.services).filter(
    ([, service]) => service.image === 'consortium-marketplace:latest',
  );

  it('gives every service that runs the app the settings production requires, the migration too', () => {
    expect(appServices.map(([name]) => name).sort()).toEqual(['api-1', 'api-2', 'migrate']);
    for (const [name, service] of appServices) {
      const env = Object.fromEntries(
        Object.entries(service.environment ?? {}).map(([key, value]) => [
          key,
          substitute(String(value), values),
        ]),
      );
      expect([name, env.NODE_ENV]).toEqual([name, 'production']);
      expect(() => loadEnvironment(env)).not.toThrow();
    }
  });

  it('asks in docker/.env.example for every variable compose refuses to start without', () => {
    const required = [...composeText.matchAll(/\$\{([A-Z_]+):\?/g)].map((match) => match[1]);
    expect(new Set(required)).toEqual(
      new Set([
        'JWT_SECRET',
        'SECRETS_KEY',
        'METRICS_TOKEN',
        'POSTGRES_PASSWORD',
        'DATABASE_OWNER_PASSWORD',
        'DATABASE_APP_PASSWORD',
      ]),
    );
    expect(exampleVariables).toEqual(expect.arrayContaining([...new Set(required)]));
  });

  it('migrates as the owner role and runs the API as its own role, which never gets the owner’s password', () => {
    const migrate = environmentOf('migrate');
    expect(userOf(migrate.MIGRATION_DATABASE_URL)).toBe('consortium_owner');
    expect(new URL(migrate.MIGRATION_DATABASE_URL).password).toBe(values.DATABASE_OWNER_PASSWORD);
    for (const name of ['api-1', 'api-2', 'migrate']) {
      expect([name, userOf(environmentOf(name).DATABASE_URL)]).toEqual([name, 'consortium_app']);
      expect([name, new URL(environmentOf(name).DATABASE_URL).password]).toEqual([
        name,
        values.DATABASE_APP_PASSWORD,
      ]);
    }
    for (const name of ['api-1', 'api-2']) {
      expect([name, JSON.stringify(environmentOf(name))]).not.toEqual([
        name,
        expect.stringContaining(values.DATABASE_OWNER_PASSWORD),
      ]);
    }
  });

  it('has the postgres service create both roles, neither a superuser, the owner owning the database', () => {
    const postgres = compose.services.postgres;
    expect(postgres.volumes).toContain('./postgres-roles.sh:/docker-entrypoint-initdb.d/10-roles.sh:ro');
    expect(Object.keys(postgres.environment ?? {})).toEqual(
      expect.arrayContaining(['DATABASE_OWNER_PASSWORD', 'DATABASE_APP_PASSWORD']),
    );
    const script = readFileSync(join(ROOT, 'docker', 'postgres-roles.sh'), 'utf8');
    for (const role of ['consortium_owner', 'consortium_app']) {
      expect(script).toMatch(
        new RegExp(`CREATE ROLE ${role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS`),
      );
    }
    expect(script).toContain('OWNER TO consortium_owner');
  });
});
