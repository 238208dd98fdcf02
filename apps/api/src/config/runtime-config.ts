import type { Environment } from './environment';

/** Everything the running app needs, resolved at start (the database URL may point at the embedded server). */
export interface RuntimeConfig {
  env: Environment;
  databaseUrl: string;
  jwtSecret: string;
  /** Seals stored secrets (see common/secret-box.ts). */
  secretsKey: string;
}
export const RUNTIME_CONFIG = Symbol('RUNTIME_CONFIG');
