import type { Environment } from './environment';

/** Everything the running app needs, resolved at start (the database URL may point at the embedded server). */
export interface RuntimeConfig {
  env: Environment;
  databaseUrl: string;
  jwtSecret: string;
}
export const RUNTIME_CONFIG = Symbol('RUNTIME_CONFIG');
