import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Failed sign-ins counted for one email from one client address, for one address across emails (`email` empty)
 * or for one account from anywhere (`address` empty: only reported, never slows anyone), shared by every instance.
 * An attempt is counted as it starts, so attempts made at once cannot all slip in before the first failure is
 * written; a success takes its count back.
 */
@Entity({ name: 'sign_in_throttles' })
export class SignInThrottle {
  /** Lower-cased, as users are stored; empty for the address's count across emails. */
  @PrimaryColumn({ type: 'text' })
  email!: string;

  /** An IPv4 address or an IPv6 /64 (see throttledAddress); empty for the account's count from anywhere. */
  @PrimaryColumn({ type: 'text' })
  address!: string;

  @Column({ type: 'integer' })
  failures!: number;

  /** No attempt is admitted before this instant. */
  @Column({ name: 'not_before', type: 'timestamptz' })
  notBefore!: Date;

  /** The last attempt counted; a count with none for a day starts again. */
  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
