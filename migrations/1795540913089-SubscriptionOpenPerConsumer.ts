import { MigrationInterface, QueryRunner } from 'typeorm';

export class SubscriptionOpenPerConsumer1795540913089 implements MigrationInterface {
  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE UNIQUE INDEX "uq_subscription_open_per_consumer" ON "subscriptions" ("service_id", "consumer_organisation_id") WHERE status IN (\'requested\', \'active\', \'suspended\', \'notice_given\')',
    );
  }

  public async down(): Promise<void> {
    throw new Error('Irreversible: restore from backup');
  }
}
