import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/**
 * The first response to a money-moving request sent with an Idempotency-Key, per caller: a replay with the same
 * key and body gets it back; the same key with a different body is refused.
 */
@Entity({ name: 'idempotency_records' })
export class IdempotencyRecord {
  @PrimaryColumn({ name: 'organisation_id', type: 'uuid' })
  organisationId!: string;

  /** `<user|api_key>:<caller id>:<the client's key>`: keys are the caller's own (see IdempotencyInterceptor). */
  @PrimaryColumn({ type: 'text' })
  key!: string;

  /** `POST /api/v1/...` the key was first used for. */
  @Column({ type: 'text' })
  route!: string;

  @Column({ name: 'request_hash', type: 'text' })
  requestHash!: string;

  @Column({ name: 'response_status', type: 'integer', nullable: true })
  responseStatus!: number | null;

  /** `json`, not `jsonb`: a replay must return the first response exactly, key order included. */
  @Column({ name: 'response_body', type: 'json', nullable: true })
  responseBody!: unknown;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
