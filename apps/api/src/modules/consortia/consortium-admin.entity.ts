import { CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { User } from '../users/user.entity';
import { Consortium } from './consortium.entity';

/** A user who administers a consortium (the per-consortium `consortium_admin` role). */
@Entity({ name: 'consortium_admins' })
export class ConsortiumAdmin {
  @PrimaryColumn({ name: 'consortium_id', type: 'uuid' })
  consortiumId!: string;

  @ManyToOne(() => Consortium, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'consortium_id' })
  consortium?: Consortium;

  /** Indexed on its own too: every signed-in request reads a user's grants. */
  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  @Index('ix_consortium_admin_user')
  userId!: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: User;

  @CreateDateColumn({ name: 'granted_at', type: 'timestamptz' })
  grantedAt!: Date;
}
