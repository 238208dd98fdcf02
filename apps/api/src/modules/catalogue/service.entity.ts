import {
  CAPACITY_UNITS,
  CapacityUnit,
  SERVICE_CATEGORIES,
  SERVICE_STATUSES,
  ServiceCategory,
  ServiceStatus,
  VAT_TREATMENTS,
  VatTreatment,
} from '@consortium/domain';
import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { Consortium } from '../consortia/consortium.entity';
import { Organisation } from '../organisations/organisation.entity';

// The lifecycle and VAT treatments are the domain's (libs/domain); re-exported for the entity's users.
export { SERVICE_STATUSES, VAT_TREATMENTS };
export type { ServiceStatus, VatTreatment };

export interface ServiceLevel {
  /** e.g. "24x7" or "Mon–Fri 08:00–18:00". */
  hoursOfCover: string;
  responseTargetHours: number;
  resolutionTargetHours: number;
  /** Percentage as a decimal string, e.g. "99.9". */
  availabilityPercent: string;
}

export interface ServiceContact {
  name: string;
  email: string;
  phone?: string;
  role?: string;
}

/** A service a member provides to its consortium. */
@Entity({ name: 'services' })
@Index('ix_service_consortium_status', ['consortiumId', 'status'])
@Index('ix_service_provider', ['providerOrganisationId'])
@Index('ix_service_title', ['title', 'id'])
// GIN index over the search document, created by hand in the migration (TypeORM cannot declare GIN indexes).
@Index('ix_service_search', { synchronize: false })
@Check('ck_service_capacity_positive', 'capacity_limit IS NULL OR capacity_limit > 0')
export class Service {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'consortium_id', type: 'uuid' })
  consortiumId!: string;

  @ManyToOne(() => Consortium, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'consortium_id' })
  consortium?: Consortium;

  @Column({ name: 'provider_organisation_id', type: 'uuid' })
  providerOrganisationId!: string;

  @ManyToOne(() => Organisation, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'provider_organisation_id' })
  provider?: Organisation;

  @Column({ type: 'enum', enum: SERVICE_CATEGORIES, enumName: 'service_category' })
  category!: ServiceCategory;

  @Column({ type: 'text' })
  title!: string;

  @Column({ type: 'text' })
  summary!: string;

  @Column({ type: 'text' })
  description!: string;

  @Column({ name: 'service_level', type: 'jsonb' })
  serviceLevel!: ServiceLevel;

  /** Null means unlimited. */
  @Column({ name: 'capacity_limit', type: 'integer', nullable: true })
  capacityLimit!: number | null;

  @Column({ name: 'capacity_unit', type: 'enum', enum: CAPACITY_UNITS, enumName: 'capacity_unit' })
  capacityUnit!: CapacityUnit;

  @Column({ name: 'vat_treatment', type: 'enum', enum: VAT_TREATMENTS, enumName: 'vat_treatment' })
  vatTreatment!: VatTreatment;

  @Column({ type: 'jsonb' })
  contacts!: ServiceContact[];

  @Column({ type: 'enum', enum: SERVICE_STATUSES, enumName: 'service_status', default: 'draft' })
  status!: ServiceStatus;

  /** The price version new subscriptions agree to. */
  @Column({ name: 'current_price_version', type: 'integer' })
  currentPriceVersion!: number;

  @Column({ name: 'published_at', type: 'timestamptz', nullable: true })
  publishedAt!: Date | null;

  /** Full-text search document (English stemming), kept current by a trigger; never written by the app. */
  @Column({
    name: 'search_document',
    type: 'tsvector',
    nullable: true,
    select: false,
    insert: false,
    update: false,
  })
  searchDocument?: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
