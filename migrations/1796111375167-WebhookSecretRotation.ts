import { MigrationInterface, QueryRunner } from 'typeorm';

export class WebhookSecretRotation1796111375167 implements MigrationInterface {
  public async up(queryRunner: QueryRunner): Promise<void> {
    // A rotated-out secret keeps signing (as a second v1) for a while, so receivers switch over without a gap.
    await queryRunner.query('ALTER TABLE "webhook_endpoints" ADD "previous_secret" text');
    await queryRunner.query(
      'ALTER TABLE "webhook_endpoints" ADD "previous_secret_expires_at" TIMESTAMP WITH TIME ZONE',
    );
  }

  public async down(): Promise<void> {
    throw new Error('Irreversible: restore from backup');
  }
}
