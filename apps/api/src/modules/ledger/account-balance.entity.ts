import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * An account's balance within one period, kept by a trigger on postings in the same transaction, so balances
 * per period and to date never need a scan of all postings.
 */
@Entity({ name: 'account_balances' })
export class AccountBalance {
  @PrimaryColumn({ name: 'account_id', type: 'uuid' })
  accountId!: string;

  @PrimaryColumn({ name: 'billing_period_id', type: 'uuid' })
  billingPeriodId!: string;

  @Column({ name: 'balance_minor', type: 'bigint' })
  balanceMinor!: string;

  @Column({ name: 'posting_count', type: 'integer' })
  postingCount!: number;
}
