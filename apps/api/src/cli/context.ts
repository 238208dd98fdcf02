import { ACTOR_DIRECTORY, type Actor, type ActorDirectory } from '@consortium/auth';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AppModule } from '../app.module';
import type { Environment } from '../config/environment';
import { resolveSecretsKey } from '../config/secrets';
import { User } from '../modules/users/user.entity';
import { UsageError } from './options';

/** Where a command writes: lines for people, and whether they are looking at a terminal (for progress bars). */
export interface CliOutput {
  line(text: string): void;
  /** A terminal stream for a progress bar; absent when the output is a pipe, a file or a test. */
  tty?: NodeJS.WriteStream;
}

export const consoleOutput = (): CliOutput => ({
  line: (text) => console.log(text),
  tty: process.stdout.isTTY ? process.stdout : undefined,
});

/**
 * Boots the API's own modules without HTTP, so a command goes through the same services (rules, locks, audit)
 * as a request; closes it afterwards. This process also joins the job workers while it runs, so a charge run it
 * starts is processed even when no API instance is up (pg-boss still runs each job once).
 */
export async function withAppContext<T>(
  env: Environment,
  databaseUrl: string,
  work: (app: INestApplicationContext) => Promise<T>,
): Promise<T> {
  // No tokens are issued here: a throwaway signing key, rather than creating the data folder's key file.
  const jwtSecret = env.JWT_SECRET ?? randomBytes(48).toString('base64url');
  const app = await NestFactory.createApplicationContext(
    // The real secrets key, though: this process may send webhooks, signed with the secrets it seals.
    AppModule.forRoot({
      env: { ...env, LOG_LEVEL: 'error' },
      databaseUrl,
      jwtSecret,
      secretsKey: resolveSecretsKey(env),
    }),
    { logger: ['error', 'warn'], abortOnError: false },
  );
  try {
    return await work(app);
  } finally {
    await app.close();
  }
}

/**
 * The person a command acts as: an active user, as their sign-in would make them, marked as acting through the
 * CLI in the audit trail. Commands act as someone because the services' rules (who administers a consortium,
 * who founds one) are about people; the audit then says which operator did it.
 */
export async function actingAs(app: INestApplicationContext, email: string, command: string): Promise<Actor> {
  const user = await app.get(DataSource).getRepository(User).findOneBy({ email: email.trim().toLowerCase() });
  const directory = app.get<ActorDirectory>(ACTOR_DIRECTORY, { strict: false });
  const actor = user ? await directory.actorForUser(user.id) : null;
  if (!actor) throw new UsageError(`--as ${email}: no active user has that email`);
  return { ...actor, label: `${actor.label} (cli)`, requestId: `cli:${command}` };
}
