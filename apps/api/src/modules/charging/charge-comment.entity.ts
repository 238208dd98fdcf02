import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { CrossCharge } from './cross-charge.entity';

/** The comment thread of a cross-charge (and of its disputes): append-only. */
@Entity({ name: 'charge_comments' })
@Index('ix_charge_comment_cross_charge', ['crossChargeId', 'createdAt'])
export class ChargeComment {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'cross_charge_id', type: 'uuid' })
  crossChargeId!: string;

  @ManyToOne(() => CrossCharge, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'cross_charge_id' })
  crossCharge?: CrossCharge;

  @Column({ name: 'dispute_id', type: 'uuid', nullable: true })
  disputeId!: string | null;

  @Column({ name: 'organisation_id', type: 'uuid' })
  organisationId!: string;

  @Column({ name: 'author_label', type: 'text' })
  authorLabel!: string;

  @Column({ type: 'text' })
  body!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
