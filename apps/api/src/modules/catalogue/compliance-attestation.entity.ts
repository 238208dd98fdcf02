import { COMPLIANCE_KINDS, ComplianceKind } from '@consortium/domain';
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

/** A certificate a service holds (PSN compliance, Cyber Essentials, ISO 27001…), with its validity. */
@Entity({ name: 'compliance_attestations' })
@Index('ix_compliance_service', ['serviceId'])
@Index('ix_compliance_expiry', ['expiresOn'])
@Check('ck_compliance_dates', 'expires_on >= issued_on')
export class ComplianceAttestation {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'service_id', type: 'uuid' })
  serviceId!: string;

  @ManyToOne(() => Service, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'service_id' })
  service?: Service;

  @Column({ type: 'enum', enum: COMPLIANCE_KINDS, enumName: 'compliance_kind' })
  kind!: ComplianceKind;

  @Column({ name: 'certificate_reference', type: 'text' })
  certificateReference!: string;

  @Column({ name: 'issued_on', type: 'date' })
  issuedOn!: string;

  @Column({ name: 'expires_on', type: 'date' })
  expiresOn!: string;

  /** A required certificate that has expired makes the service non-compliant. */
  @Column({ type: 'boolean', default: true })
  required!: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
