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
import { Session } from './session.entity';

/**
 * One refresh token of a rotating family (a session). Only a hash is stored. Using a token replaces it with its
 * one successor; presenting a token that was already replaced ends the session (it was stolen or replayed), unless
 * it is presented again within REFRESH_TOKEN_REUSE_GRACE_SECONDS of its replacement (a retry, a duplicated tab):
 * that yields the same successor again.
 */
@Entity({ name: 'refresh_tokens' })
export class RefreshToken {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Index('ix_refresh_token_user')
  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: User;

  /** The session: every token rotated from one sign-in shares it. */
  @Index('ix_refresh_token_family')
  @Column({ name: 'family_id', type: 'uuid' })
  familyId!: string;

  @ManyToOne(() => Session, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'family_id' })
  session?: Session;

  /**
   * The token this one was rotated from (null for the one issued at sign-in). A token has one successor (tokens
   * rotated before successors were derived may have several), so each refresh is traceable to what it replaced.
   */
  @Index('ix_refresh_token_rotated_from')
  @Column({ name: 'rotated_from_id', type: 'uuid', nullable: true })
  rotatedFromId!: string | null;

  @ManyToOne(() => RefreshToken, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'rotated_from_id' })
  rotatedFrom?: RefreshToken | null;

  @Column({ name: 'token_hash', type: 'text', unique: true })
  tokenHash!: string;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  /** When the token was first rotated; the reuse grace period runs from here and is not extended by a reuse. */
  @Column({ name: 'replaced_at', type: 'timestamptz', nullable: true })
  replacedAt!: Date | null;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
