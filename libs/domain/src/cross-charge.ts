import { StateMachine } from './state-machine';

/**
 * A cross-charge is what one provider charges one consumer for a billing period. Drafts come from a charge run;
 * issuing posts them to the ledger; the consumer's finance team approves, or disputes lines until each dispute is
 * resolved. Corrections are credit notes, never edits.
 */
export const CROSS_CHARGE_STATUSES = ['draft', 'issued', 'disputed', 'approved', 'void'] as const;
export type CrossChargeStatus = (typeof CROSS_CHARGE_STATUSES)[number];

export const CROSS_CHARGE_ACTIONS = ['issue', 'approve', 'dispute', 'resolve_disputes', 'void'] as const;
export type CrossChargeAction = (typeof CROSS_CHARGE_ACTIONS)[number];

export const crossChargeLifecycle = new StateMachine<CrossChargeStatus, CrossChargeAction>('cross-charge', {
  // A draft that a re-run no longer produces is voided rather than deleted.
  draft: { issue: 'issued', void: 'void' },
  issued: { approve: 'approved', dispute: 'disputed' },
  // Once every dispute on it is resolved, the charge returns to issued for approval.
  disputed: { dispute: 'disputed', resolve_disputes: 'issued' },
  approved: {},
  void: {},
});

/**
 * A dispute on one line: the provider accepts (a credit note follows) or rejects it; either side may escalate
 * an open or rejected dispute to the consortium administrator, who upholds it (credit follows) or dismisses it.
 */
export const DISPUTE_STATUSES = [
  'open',
  'accepted',
  'rejected',
  'escalated',
  'upheld',
  'dismissed',
  'withdrawn',
] as const;
export type DisputeStatus = (typeof DISPUTE_STATUSES)[number];

export const DISPUTE_ACTIONS = ['accept', 'reject', 'escalate', 'uphold', 'dismiss', 'withdraw'] as const;
export type DisputeAction = (typeof DISPUTE_ACTIONS)[number];

export const disputeLifecycle = new StateMachine<DisputeStatus, DisputeAction>('dispute', {
  open: { accept: 'accepted', reject: 'rejected', escalate: 'escalated', withdraw: 'withdrawn' },
  rejected: { escalate: 'escalated', withdraw: 'withdrawn' },
  escalated: { uphold: 'upheld', dismiss: 'dismissed' },
  accepted: {},
  upheld: {},
  dismissed: {},
  withdrawn: {},
});

/** Disputes in these states still need someone's decision; a period cannot close while any remain. */
export const UNRESOLVED_DISPUTE_STATUSES: readonly DisputeStatus[] = ['open', 'rejected', 'escalated'];

/** The ledger accounts each member holds in each consortium. */
export const LEDGER_ACCOUNT_KINDS = ['receivable', 'payable'] as const;
export type LedgerAccountKind = (typeof LEDGER_ACCOUNT_KINDS)[number];

export const JOURNAL_ENTRY_KINDS = ['charge', 'credit_note', 'settlement', 'reversal'] as const;
export type JournalEntryKind = (typeof JOURNAL_ENTRY_KINDS)[number];

export const CHARGE_RUN_STATUSES = ['queued', 'running', 'completed', 'failed'] as const;
export type ChargeRunStatus = (typeof CHARGE_RUN_STATUSES)[number];

export const SETTLEMENT_PAYMENT_STATUSES = ['pending', 'recorded'] as const;
export type SettlementPaymentStatus = (typeof SETTLEMENT_PAYMENT_STATUSES)[number];
