/**
 * What the pg driver runs for one request to the API, recorded from inside the driver: used by the bench's bare
 * baselines (scripts/bench/bare-server.ts replays the statements) and by the list query-plan spec (which EXPLAINs
 * them), so neither copies the API's SQL by hand.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Client } from 'pg';

/** One statement the API ran for the captured request. */
export interface CapturedStatement {
  text: string;
  values?: unknown[];
  /** Set when the API used a named (prepared) statement; the replay names it alike. */
  name?: string;
  rowMode?: 'array';
  /** Which of the request's connections ran it (0, 1, …), so a transaction replays on one connection. */
  connection: number;
  /** Issued while an earlier statement of the request was still running: replayed alongside it. */
  concurrent: boolean;
}

interface Recording {
  statements: CapturedStatement[];
  connections: Map<Client, number>;
  inFlight: number;
  unsupported: string[];
}

/** What pg accepts as a query's first argument, as far as the capture reads it. */
interface QueryOptions {
  text?: unknown;
  values?: unknown[];
  name?: string;
  rowMode?: string;
  submit?: unknown;
}

type RequestListener = (request: IncomingMessage, response: ServerResponse) => void;
type Query = (this: Client, ...args: unknown[]) => unknown;

/**
 * Runs `send` (one request to the API behind `server`) and returns every statement pg ran for it. Only that
 * request's own work is recorded (its async context, so not the job queue's polling), including statements still
 * running when it answered: the capture waits for them to finish, never for a fixed time.
 */
export async function captureStatements(
  server: Server,
  send: () => Promise<void>,
): Promise<CapturedStatement[]> {
  const context = new AsyncLocalStorage<Recording>();
  const recording: Recording = { statements: [], connections: new Map(), inFlight: 0, unsupported: [] };
  const listeners = server.listeners('request') as RequestListener[];
  if (listeners.length === 0) throw new Error('the API server has no request listener to capture through');
  const originalQuery = Client.prototype.query as unknown as Query;
  const patched: Query = function (this: Client, ...args: unknown[]) {
    const current = context.getStore();
    if (!current) return originalQuery.apply(this, args);
    const [first, second] = args;
    const config: QueryOptions =
      typeof first === 'string' ? { text: first } : ((first ?? {}) as QueryOptions);
    if (typeof config.submit === 'function' || typeof config.text !== 'string') {
      current.unsupported.push(String(config.text ?? config.constructor?.name));
      return originalQuery.apply(this, args);
    }
    if (!current.connections.has(this)) current.connections.set(this, current.connections.size);
    current.statements.push({
      text: config.text,
      values: Array.isArray(second) ? second : config.values,
      ...(config.name ? { name: config.name } : {}),
      ...(config.rowMode === 'array' ? { rowMode: 'array' as const } : {}),
      connection: current.connections.get(this) as number,
      concurrent: current.inFlight > 0,
    });
    current.inFlight++;
    const done = () => current.inFlight--;
    const last = args.length - 1;
    if (typeof args[last] === 'function') {
      const callback = args[last] as (...results: unknown[]) => void;
      args[last] = (...results: unknown[]) => {
        done();
        callback(...results);
      };
      return originalQuery.apply(this, args);
    }
    const result = originalQuery.apply(this, args) as Promise<unknown> | undefined;
    if (result && typeof result.then === 'function') result.then(done, done);
    else done();
    return result;
  };
  server.removeAllListeners('request');
  for (const listener of listeners) {
    server.on('request', (request: IncomingMessage, response: ServerResponse) =>
      context.run(recording, () => listener.call(server, request, response)),
    );
  }
  Client.prototype.query = patched as unknown as typeof Client.prototype.query;
  try {
    await send();
    while (recording.inFlight > 0) await new Promise((resolve) => setImmediate(resolve));
  } finally {
    Client.prototype.query = originalQuery as unknown as typeof Client.prototype.query;
    server.removeAllListeners('request');
    for (const listener of listeners) server.on('request', listener);
  }
  if (recording.unsupported.length > 0) {
    throw new Error(
      `cannot replay these statements (streams or cursors): ${recording.unsupported.join('; ')}`,
    );
  }
  if (recording.statements.length === 0) throw new Error('no statement was recorded for the request');
  return recording.statements;
}
