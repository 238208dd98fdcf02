import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadEnvironment } from '../src/config/environment';

const ROOT = join(__dirname, '..', '..', '..');
const composeText = readFileSync(join(ROOT, 'docker', 'compose.yaml'), 'utf8');
const compose = parse(composeText, { merge: true }) as {
  services: Record<string, { image?: string; environment?: Record<string, string> }>;
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
  };
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
      new Set(['JWT_SECRET', 'SECRETS_KEY', 'METRICS_TOKEN', 'POSTGRES_PASSWORD']),
    );
    expect(exampleVariables).toEqual(expect.arrayContaining([...new Set(required)]));
  });
});
