import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { Service } from './service.entity';

/**
 * One version of a service's price plan. Versions are never edited: a price change adds a version, and each
 * subscription keeps the version it agreed to until it accepts a newer one.
 */
@Entity({ name: 'price_versions' })
@Index('uq_price_version_service_version', ['serviceId', 'version'], { unique: true })
@Check('ck_price_version_positive', 'version >= 1')
export class PriceVersion {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'service_id', type: 'uuid' })
  serviceId!: string;

  @ManyToOne(() => Service, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'service_id' })
  service?: Service;

  @Column({ type: 'integer' })
  version!: number;

  /** The price plan as the domain defines it (rates as exact decimal strings, money in pence). */
  @Column({ type: 'jsonb' })
  plan!: Record<string, unknown>;

  @Column({ type: 'char', length: 3 })
  currency!: string;

  @Column({ name: 'created_by_user_id', type: 'uuid', nullable: true })
  createdByUserId!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
