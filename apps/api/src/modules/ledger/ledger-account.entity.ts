import { LEDGER_ACCOUNT_KINDS, LedgerAccountKind } from '@consortium/domain';
import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { Organisation } from '../organisations/organisation.entity';
import { Consortium } from '../consortia/consortium.entity';

/**
 * A member's account in a consortium: `receivable` (what others owe it; debits increase it) and `payable`
 * (what it owes others; credits, i.e. negative amounts, increase it). A member's net position is the sum of both.
 */
@Entity({ name: 'ledger_accounts' })
@Index('uq_ledger_account', ['consortiumId', 'organisationId', 'kind', 'currency'], { unique: true })
export class LedgerAccount {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'consortium_id', type: 'uuid' })
  consortiumId!: string;

  @ManyToOne(() => Consortium, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'consortium_id' })
  consortium?: Consortium;

  @Column({ name: 'organisation_id', type: 'uuid' })
  organisationId!: string;

  @ManyToOne(() => Organisation, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'organisation_id' })
  organisation?: Organisation;

  @Column({ type: 'enum', enum: LEDGER_ACCOUNT_KINDS, enumName: 'ledger_account_kind' })
  kind!: LedgerAccountKind;

  @Column({ type: 'char', length: 3 })
  currency!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
