import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A member's net position for a closed period: positive means the member is owed. Fixed at close. */
@Entity({ name: 'member_positions' })
export class MemberPosition {
  @PrimaryColumn({ name: 'billing_period_id', type: 'uuid' })
  billingPeriodId!: string;

  @PrimaryColumn({ name: 'organisation_id', type: 'uuid' })
  organisationId!: string;

  @Column({ name: 'net_minor', type: 'bigint' })
  netMinor!: string;

  @Column({ type: 'char', length: 3 })
  currency!: string;
}
