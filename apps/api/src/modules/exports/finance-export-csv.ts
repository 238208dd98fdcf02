import type { LedgerAccountKind } from '@consortium/domain';
import { pounds, textCell } from '../statements/statement-export';
import type { LedgerCode, LedgerCodeRules } from './ledger-codes.service';

/** One of the organisation's postings in a period, as the export reads it. */
export interface ExportPosting {
  postingId: string;
  /** The calendar date it was posted, in the UK (ISO 8601). */
  postedOn: string;
  journalEntryId: string;
  entryKind: string;
  description: string;
  counterpartyId: string | null;
  counterpartyName: string | null;
  /** The one service category the entry's charge lines are all in; null when none or mixed. */
  serviceCategory: string | null;
  accountKind: LedgerAccountKind;
  /** Signed pence on the member's marketplace account: positive is a debit. */
  amountMinor: bigint;
  currency: string;
}

/** Which rule coded a side: its match, `default`, or `UNMAPPED` when no rule (not even a default) applies. */
type Coded = LedgerCode & { rule: string };

const UNMAPPED: Coded = { costCentre: '', ledgerCode: '', rule: 'UNMAPPED' };

function firstMatch(rules: LedgerCodeRules, candidates: [string, string | null][]): Coded {
  for (const [match, value] of candidates) {
    const code = value === null ? undefined : rules.get(match as never)?.get(value);
    if (code) return { ...code, rule: match };
  }
  return UNMAPPED;
}

/**
 * Codes both sides of a posting. The control side is the member's marketplace account (its receivable or
 * payable), coded by account kind; the other side is what it stands for, coded by the entry's kind (so settlement
 * payments can go to the bank account), else the service category, else the counterparty (income or expenditure).
 * Either side falls back to the default rule.
 */
export function codePosting(
  rules: LedgerCodeRules,
  posting: ExportPosting,
): { control: Coded; other: Coded } {
  return {
    control: firstMatch(rules, [
      ['account_kind', posting.accountKind],
      ['default', ''],
    ]),
    other: firstMatch(rules, [
      ['entry_kind', posting.entryKind],
      ['service_category', posting.serviceCategory],
      ['counterparty', posting.counterpartyId],
      ['default', ''],
    ]),
  };
}

export const FINANCE_EXPORT_HEADER = [
  'Date',
  'Period',
  'Journal entry',
  'Posting',
  'Entry kind',
  'Description',
  'Counterparty',
  'Service category',
  'Marketplace account',
  'Debit cost centre',
  'Debit ledger code',
  'Debit coded by',
  'Credit cost centre',
  'Credit ledger code',
  'Credit coded by',
  'Amount (pence)',
  'Amount (GBP)',
  'Currency',
];

/**
 * The finance-system journal: one row per posting, each a balanced pair (the debit and the credit of the same
 * amount), so the file's debits and credits always balance. A posting that debits the member's marketplace
 * account (money owed to it) debits the control code and credits the income code; a credit does the opposite.
 * Dates are ISO 8601 (UK calendar dates); amounts are positive, in pence and in pounds. UTF-8 with a byte-order
 * mark and CRLF line ends, like the statement CSV; every text cell is defused against spreadsheet formulas.
 */
export function financeExportCsv(
  periodKey: string,
  rules: LedgerCodeRules,
  postings: ExportPosting[],
): string {
  const rows = postings.map((posting) => {
    const { control, other } = codePosting(rules, posting);
    const [debit, credit] = posting.amountMinor > 0n ? [control, other] : [other, control];
    const amount = posting.amountMinor < 0n ? -posting.amountMinor : posting.amountMinor;
    return [
      posting.postedOn,
      textCell(periodKey),
      posting.journalEntryId,
      posting.postingId,
      posting.entryKind,
      textCell(posting.description),
      textCell(posting.counterpartyName ?? ''),
      posting.serviceCategory ?? '',
      posting.accountKind,
      textCell(debit.costCentre),
      textCell(debit.ledgerCode),
      debit.rule,
      textCell(credit.costCentre),
      textCell(credit.ledgerCode),
      credit.rule,
      amount.toString(),
      pounds(amount),
      posting.currency,
    ].join(',');
  });
  return `\uFEFF${[FINANCE_EXPORT_HEADER.join(','), ...rows].join('\r\n')}\r\n`;
}
