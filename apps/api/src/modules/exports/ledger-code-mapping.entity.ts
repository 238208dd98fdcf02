import { Check, Column, Entity, JoinColumn, ManyToOne, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { Organisation } from '../organisations/organisation.entity';

/** What a mapping rule matches on; see FinanceExportService for which rule wins. */
export const LEDGER_CODE_MATCHES = [
  'account_kind',
  'entry_kind',
  'service_category',
  'counterparty',
  'default',
] as const;
export type LedgerCodeMatch = (typeof LEDGER_CODE_MATCHES)[number];

/**
 * One of an organisation's rules for coding its marketplace postings in its own finance system: postings that
 * match (`match` = `value`) go to this cost centre and ledger code. Private to the organisation.
 */
@Entity({ name: 'ledger_code_mappings' })
@Check(
  'ck_ledger_code_mapping_match',
  `"match" IN ('account_kind', 'entry_kind', 'service_category', 'counterparty', 'default')`,
)
@Check('ck_ledger_code_mapping_default_value', `("match" = 'default') = ("value" = '')`)
export class LedgerCodeMapping {
  @PrimaryColumn({ name: 'organisation_id', type: 'uuid' })
  organisationId!: string;

  @ManyToOne(() => Organisation, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organisation_id' })
  organisation?: Organisation;

  @PrimaryColumn({ type: 'text' })
  match!: LedgerCodeMatch;

  /** The account kind, service category or counterparty organisation id matched; empty for the default. */
  @PrimaryColumn({ type: 'text' })
  value!: string;

  @Column({ name: 'cost_centre', type: 'text' })
  costCentre!: string;

  @Column({ name: 'ledger_code', type: 'text' })
  ledgerCode!: string;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
