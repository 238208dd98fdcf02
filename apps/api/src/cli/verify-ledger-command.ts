import { LedgerVerificationService } from '../modules/ledger/ledger-verification.service';
import { withAppContext } from './context';
import { CommandFailed, type OperatorCommand } from './operator-commands';

/** Differences named in full before the rest are only counted. */
const SHOWN = 50;

/**
 * Tamper evidence for operators: every balance recomputed from the postings, every entry and every consortium's
 * hash chain checked; the result is recorded for the metrics, and any difference exits non-zero.
 */
export const verifyLedger: OperatorCommand = {
  spec: {
    name: 'verify-ledger',
    usage: 'verify-ledger',
    summary:
      'Recomputes every account balance from the postings, checks that every journal entry balances in its ' +
      "currency, and recomputes each consortium's hash chain of journal entries (and that the chain heads the " +
      'previous run saw are unchanged). Prints each difference and exits with status 1 when there is any. The ' +
      'result is recorded and served by GET /metrics as consortium_ledger_verified_ok.',
  },
  async run(env, databaseUrl, _options, out) {
    await withAppContext(env, databaseUrl, async (app) => {
      const { verification, differences } = await app
        .get(LedgerVerificationService, { strict: false })
        .verify((line) => out.line(line));
      for (const difference of differences.slice(0, SHOWN)) out.line(`  ${difference.message}`);
      if (verification.differences > SHOWN) out.line(`  … and ${verification.differences - SHOWN} more`);
      for (const [consortiumId, head] of Object.entries(verification.heads)) {
        out.line(`  chain head of ${consortiumId}: link ${head.position}, ${head.hash}`);
      }
      out.line(
        `Verified ${verification.journalEntries} journal entries, ${verification.postings} postings and ` +
          `${verification.accountBalances} account balances: ${verification.differences} difference(s)`,
      );
      if (!verification.ok) {
        throw new CommandFailed(
          `The ledger differs from what was posted in ${verification.differences} place(s): see docs/operations.md`,
        );
      }
      out.line(
        'The ledger is intact: every balance agrees with its postings and every hash chain is unbroken',
      );
    });
  },
};
