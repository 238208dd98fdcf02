import { DISPUTE_STATUSES, DisputeStatus } from '@consortium/domain';
import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { CrossCharge } from './cross-charge.entity';
import { CrossChargeLine } from './cross-charge-line.entity';

/** A consumer's dispute of one charge line, and how it was decided. */
@Entity({ name: 'disputes' })
@Index('ix_dispute_cross_charge', ['crossChargeId'])
@Index('uq_dispute_line_unresolved', ['crossChargeLineId'], {
  unique: true,
  where: "status IN ('open', 'rejected', 'escalated')",
})
export class Dispute {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'cross_charge_id', type: 'uuid' })
  crossChargeId!: string;

  @ManyToOne(() => CrossCharge, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'cross_charge_id' })
  crossCharge?: CrossCharge;

  @Column({ name: 'cross_charge_line_id', type: 'uuid' })
  crossChargeLineId!: string;

  @ManyToOne(() => CrossChargeLine, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'cross_charge_line_id' })
  line?: CrossChargeLine;

  @Column({ type: 'enum', enum: DISPUTE_STATUSES, enumName: 'dispute_status', default: 'open' })
  status!: DisputeStatus;

  @Column({ type: 'text' })
  reason!: string;

  /** The provider's or the consortium admin's reasons for the decision. */
  @Column({ type: 'text', nullable: true })
  resolution!: string | null;

  @Column({ name: 'raised_by_user_id', type: 'uuid', nullable: true })
  raisedByUserId!: string | null;

  @Column({ name: 'resolved_at', type: 'timestamptz', nullable: true })
  resolvedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
