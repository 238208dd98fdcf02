import { MEMBERSHIP_STATUSES, MembershipStatus } from '@consortium/domain';
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
import { Organisation } from '../organisations/organisation.entity';
import { Consortium } from './consortium.entity';

@Entity({ name: 'consortium_memberships' })
@Index('uq_membership_consortium_organisation', ['consortiumId', 'organisationId'], { unique: true })
export class Membership {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'consortium_id', type: 'uuid' })
  consortiumId!: string;

  @ManyToOne(() => Consortium, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'consortium_id' })
  consortium?: Consortium;

  @Index('ix_membership_organisation')
  @Column({ name: 'organisation_id', type: 'uuid' })
  organisationId!: string;

  @ManyToOne(() => Organisation, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'organisation_id' })
  organisation?: Organisation;

  @Column({ type: 'enum', enum: MEMBERSHIP_STATUSES, enumName: 'membership_status' })
  status!: MembershipStatus;

  /** Why it was requested, rejected, suspended…: the last reason given. */
  @Column({ type: 'text', nullable: true })
  note!: string | null;

  @Column({ name: 'joined_at', type: 'timestamptz', nullable: true })
  joinedAt!: Date | null;

  @Column({ name: 'left_at', type: 'timestamptz', nullable: true })
  leftAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
