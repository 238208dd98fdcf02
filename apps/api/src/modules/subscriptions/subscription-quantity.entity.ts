import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** A subscription's quantity from a date on; the charge run reads the quantity in effect on each day. */
@Entity({ name: 'subscription_quantities' })
@Index('uq_subscription_quantity_effective', ['subscriptionId', 'effectiveFrom'], { unique: true })
@Check('ck_subscription_quantities_positive', 'quantity > 0')
export class SubscriptionQuantity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  @Column({ name: 'subscription_id', type: 'uuid' })
  subscriptionId!: string;

  @Column({ type: 'integer' })
  quantity!: number;

  @Column({ name: 'effective_from', type: 'date' })
  effectiveFrom!: string;
}
