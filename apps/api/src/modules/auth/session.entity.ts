import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { User } from '../users/user.entity';

export const SESSION_END_REASONS = ['signed_out', 'refresh_token_reused', 'user_disabled'] as const;
export type SessionEndReason = (typeof SESSION_END_REASONS)[number];

/**
 * One sign-in: the refresh tokens rotated from it (their family) and every access token issued with them, which
 * name it in their `sid` claim. Ending it (sign-out, a refresh token reused, the user disabled) stops its access
 * tokens on their next request, on every instance, because each request checks it.
 */
@Entity({ name: 'sessions' })
export class Session {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Index('ix_session_user')
  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: User;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;

  /** Why the session ended; null while it lasts (and for sessions ended before reasons were kept). */
  @Column({
    name: 'revoked_reason',
    type: 'enum',
    enum: SESSION_END_REASONS,
    enumName: 'session_end_reason',
    nullable: true,
  })
  revokedReason!: SessionEndReason | null;
}
