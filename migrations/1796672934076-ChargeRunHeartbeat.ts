import { MigrationInterface, QueryRunner } from 'typeorm';

export class ChargeRunHeartbeat1796672934076 implements MigrationInterface {
  public async up(queryRunner: QueryRunner): Promise<void> {
    // A running run's holder beats heartbeat_at under its lease_id; a stale heartbeat means its process died and
    // another instance takes the run over (resumed_count). Runs in progress when this applies have neither: they
    // count as interrupted and are reclaimed at once.
    await queryRunner.query('ALTER TABLE "charge_runs" ADD "heartbeat_at" TIMESTAMP WITH TIME ZONE');
    await queryRunner.query('ALTER TABLE "charge_runs" ADD "lease_id" uuid');
    await queryRunner.query('ALTER TABLE "charge_runs" ADD "resumed_count" integer NOT NULL DEFAULT \'0\'');
    // Subscriptions a run skipped (their lines could not be computed), each with its reason in words.
    await queryRunner.query('ALTER TABLE "charge_runs" ADD "needs_attention" jsonb NOT NULL DEFAULT \'[]\'');
  }

  public async down(): Promise<void> {
    throw new Error('Irreversible: restore from backup');
  }
}
