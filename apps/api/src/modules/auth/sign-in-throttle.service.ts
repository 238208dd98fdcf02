import {
  isReportableFailureCount,
  signInDelaySeconds,
  type SignInThrottleRules,
  throttledAddress,
} from '@consortium/auth';
import { HttpStatus, Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { ProblemException } from '../../common/problem';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../../config/runtime-config';
import { AuditService } from '../audit/audit.service';
import { NotificationsService } from '../notifications/notifications.service';

/** A count with no attempt for this long starts again (and the hourly sweep deletes it). */
const MEMORY_HOURS = 24;
const SWEEP_INTERVAL_MS = 60 * 60 * 1000;

/** An attempt let through: where it was counted, and whether counting it began slowing its email and address. */
export interface AdmittedAttempt {
  email: string;
  address: string;
  /** This attempt used up the free failures of its email and address: the next one from there must wait. */
  startedDelay: boolean;
  notBefore: Date;
}

interface CountRow {
  email: string;
  address: string;
  failures: number;
  forgotten: boolean;
  waiting: boolean;
  not_before: Date;
  retry_after: number;
  now: Date;
}

/** The account whose password was tried, when the email belongs to one. */
export interface TriedAccount {
  id: string;
  email: string;
  organisationId: string;
}

/**
 * Slows down password guessing without locking anyone out: failed sign-ins are counted per email and client
 * address and per address, in PostgreSQL so every instance shares them; past the free failures each further
 * attempt from there must wait twice as long (refused with a 429 naming the instant, never held open), while the
 * same email from another address signs in as usual. The organisation of an account that keeps failing is told.
 */
@Injectable()
export class SignInThrottleService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(SignInThrottleService.name);
  private readonly rules: SignInThrottleRules;
  private sweeper?: NodeJS.Timeout;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(RUNTIME_CONFIG) config: RuntimeConfig,
    private readonly audit: AuditService,
    private readonly notifications: NotificationsService,
  ) {
    const env = config.env;
    this.rules = {
      failuresBeforeDelay: env.SIGN_IN_FAILURES_BEFORE_DELAY,
      addressFailuresBeforeDelay: env.SIGN_IN_ADDRESS_FAILURES_BEFORE_DELAY,
      firstDelaySeconds: env.SIGN_IN_FIRST_DELAY_SECONDS,
      maxDelaySeconds: env.SIGN_IN_MAX_DELAY_SECONDS,
      alertAfterFailures: env.SIGN_IN_ALERT_AFTER_FAILURES,
    };
  }

  onModuleInit(): void {
    this.sweeper = setInterval(() => {
      this.forgetQuietCounts().catch((error: unknown) =>
        this.logger.warn({ err: error }, 'Could not delete forgotten sign-in failure counts'),
      );
    }, SWEEP_INTERVAL_MS);
    this.sweeper.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.sweeper);
  }

  /**
   * Lets a sign-in attempt through, counting it against its email and address before the password is checked,
   * or refuses it (429, with the instant it may be tried again) while either must wait. Counting first, under
   * the rows' locks, is what stops a burst of simultaneous guesses from all passing before the first failure is
   * written. The database's clock at the moment each lock is held decides, so every instance agrees.
   */
  async admit(email: string, ip: string | null): Promise<AdmittedAttempt> {
    const address = throttledAddress(ip);
    const keys: [string, string][] = [
      ['', address],
      [email, address],
    ];
    return this.dataSource.transaction(async (manager) => {
      // Rows in key order ('' sorts first), created and locked in that order, so attempts never deadlock.
      await manager.query(
        `INSERT INTO sign_in_throttles (email, address, failures, not_before, updated_at)
         VALUES ($1, $2, 0, clock_timestamp(), clock_timestamp()), ($3, $4, 0, clock_timestamp(), clock_timestamp())
         ON CONFLICT DO NOTHING`,
        keys.flat(),
      );
      const rows = await manager.query<CountRow[]>(
        `SELECT email, address, failures, not_before,
                updated_at < clock_timestamp() - make_interval(hours => $5) AS forgotten,
                not_before > clock_timestamp() AS waiting,
                ceil(extract(epoch FROM not_before - clock_timestamp()))::int AS retry_after,
                clock_timestamp() AS now
           FROM sign_in_throttles
          WHERE (email, address) IN (($1, $2), ($3, $4))
          ORDER BY email, address
            FOR UPDATE`,
        [...keys.flat(), MEMORY_HOURS],
      );
      const [byAddress, byEmail] = rows;
      const waiting = rows.filter((row) => row.waiting && !row.forgotten);
      if (waiting.length > 0) {
        const until = waiting.reduce((latest, row) => (row.not_before > latest.not_before ? row : latest));
        throw this.refusal(
          until,
          until === byAddress ? 'from your address' : 'for this email from your address',
        );
      }
      const counted: { count: number; notBefore: Date }[] = [];
      for (const [row, allowed] of [
        [byAddress, this.rules.addressFailuresBeforeDelay],
        [byEmail, this.rules.failuresBeforeDelay],
      ] as const) {
        const count = (row.forgotten ? 0 : row.failures) + 1;
        // An UPDATE answers [rows, count].
        const [[updated]] = await manager.query<[{ not_before: Date }[], number]>(
          `UPDATE sign_in_throttles
              SET failures = $3, not_before = clock_timestamp() + make_interval(secs => $4),
                  updated_at = clock_timestamp()
            WHERE email = $1 AND address = $2
            RETURNING not_before`,
          [row.email, row.address, count, signInDelaySeconds(count, allowed, this.rules)],
        );
        counted.push({ count, notBefore: updated.not_before });
      }
      if (counted[0].count === this.rules.addressFailuresBeforeDelay) {
        this.logger.warn(`Sign-ins from ${address} are slowed down after ${counted[0].count} failures`);
      }
      return {
        email,
        address,
        startedDelay: counted[1].count === this.rules.failuresBeforeDelay,
        notBefore: counted[1].notBefore,
      };
    });
  }

  /**
   * The password was right: the email's count from this address is forgotten and the address gets its attempt
   * back, so an office behind one address is not slowed by its own successful sign-ins. The account's count from
   * anywhere stays, so guessing from elsewhere is still reported.
   */
  async succeeded(manager: EntityManager, attempt: AdmittedAttempt): Promise<void> {
    // The address's row first, as admit() locks them, so a sign-in and an attempt at once never deadlock.
    await manager.query(
      `UPDATE sign_in_throttles
          SET failures = greatest(failures - 1, 0),
              not_before = CASE WHEN failures - 1 < $2 THEN least(not_before, clock_timestamp()) ELSE not_before END
        WHERE email = '' AND address = $1`,
      [attempt.address, this.rules.addressFailuresBeforeDelay],
    );
    await manager.query('DELETE FROM sign_in_throttles WHERE email = $1 AND address = $2', [
      attempt.email,
      attempt.address,
    ]);
  }

  /**
   * The attempt failed (a wrong password, an unknown email, a disabled user: all alike to the caller). Counts it
   * against the account from anywhere; for an account that exists, audits the start of a delay for its email and
   * address, and tells its organisation when its failures reach the alert threshold (and each doubling of it).
   */
  async failed(attempt: AdmittedAttempt, account: TriedAccount | null): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const [{ failures }] = await manager.query<{ failures: number }[]>(
        `INSERT INTO sign_in_throttles AS t (email, address, failures, not_before, updated_at)
         VALUES ($1, '', 1, clock_timestamp(), clock_timestamp())
         ON CONFLICT (email, address) DO UPDATE
           SET failures = CASE WHEN t.updated_at < clock_timestamp() - make_interval(hours => $2) THEN 1
                               ELSE t.failures + 1 END,
               updated_at = clock_timestamp()
         RETURNING failures`,
        [attempt.email, MEMORY_HOURS],
      );
      if (!account) return;
      if (attempt.startedDelay) {
        await this.audit.record(manager, 'system', {
          action: 'auth.sign_in_throttled',
          entityType: 'user',
          entityId: account.id,
          organisationId: account.organisationId,
          changes: {
            address: attempt.address,
            failures: this.rules.failuresBeforeDelay,
            notBefore: attempt.notBefore.toISOString(),
          },
        });
      }
      if (isReportableFailureCount(failures, this.rules.alertAfterFailures)) {
        await this.report(manager, account, failures);
      }
    });
  }

  /** Deletes the counts nobody has added to for a day (they would start again anyway); returns how many. */
  async forgetQuietCounts(): Promise<number> {
    const [, deleted] = await this.dataSource.query<[unknown[], number]>(
      `DELETE FROM sign_in_throttles
        WHERE updated_at < now() - make_interval(hours => $1) AND not_before <= now()`,
      [MEMORY_HOURS],
    );
    return deleted;
  }

  private async report(manager: EntityManager, account: TriedAccount, failures: number): Promise<void> {
    const [{ addresses }] = await manager.query<{ addresses: number }[]>(
      `SELECT count(*)::int AS addresses FROM sign_in_throttles
        WHERE email = $1 AND address <> '' AND updated_at > now() - make_interval(hours => $2)`,
      [account.email, MEMORY_HOURS],
    );
    const from = addresses === 1 ? 'one address' : `${addresses} addresses`;
    await this.notifications.notify(manager, {
      organisationId: account.organisationId,
      kind: 'security.sign_in_failures',
      title: `Repeated failed sign-ins for ${account.email}`,
      body:
        `${failures} failed sign-in attempts for ${account.email} in the last day, from ${from}. The account is not ` +
        'locked: each address that keeps failing is slowed down. An organisation administrator should check with ' +
        'its owner; if it was not them, someone is guessing the password.',
      entityType: 'user',
      entityId: account.id,
    });
    await this.audit.record(manager, 'system', {
      action: 'auth.sign_in_failures_reported',
      entityType: 'user',
      entityId: account.id,
      organisationId: account.organisationId,
      changes: { failures, addresses },
    });
  }

  private refusal(row: CountRow, where: string): ProblemException {
    const notBefore = new Date(row.not_before);
    const retryAfterSeconds = Math.max(1, row.retry_after);
    const time = notBefore.toISOString().slice(11, 19);
    return new ProblemException(
      HttpStatus.TOO_MANY_REQUESTS,
      'rate-limited',
      `Too many failed sign-ins ${where}: try again in ${inWords(retryAfterSeconds)} (not before ${time} UTC)`,
      { retryAfterSeconds, notBefore: notBefore.toISOString() },
    );
  }
}

/** "1 second", "45 seconds", "2 minutes" (rounded up: never sooner than the wait). */
function inWords(seconds: number): string {
  if (seconds < 60) return seconds === 1 ? '1 second' : `${seconds} seconds`;
  const minutes = Math.ceil(seconds / 60);
  return minutes === 1 ? '1 minute' : `${minutes} minutes`;
}
