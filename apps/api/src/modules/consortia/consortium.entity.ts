import { BILLING_CYCLES, BillingCycle } from '@consortium/domain';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/** The rulebook members trade under. */
export interface ConsortiumRules {
  /** Whether organisations may ask to join, or only join by invitation. */
  acceptsJoinRequests: boolean;
  /** Days a consumer has to pay a settled position. */
  paymentTermsDays: number;
}

@Entity({ name: 'consortia' })
export class Consortium {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text', unique: true })
  name!: string;

  @Column({ type: 'text', nullable: true })
  description!: string | null;

  @Column({ name: 'billing_cycle', type: 'enum', enum: BILLING_CYCLES, enumName: 'billing_cycle' })
  billingCycle!: BillingCycle;

  @Column({ type: 'char', length: 3, default: 'GBP' })
  currency!: string;

  @Column({ type: 'jsonb' })
  rules!: ConsortiumRules;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
