import { MigrationInterface, QueryRunner } from 'typeorm';

export class EventsFeedSequence1796113138787 implements MigrationInterface {
  public async up(queryRunner: QueryRunner): Promise<void> {
    // The feed was ordered by writing transaction and hid events while any older transaction on the server ran,
    // so one long or idle transaction anywhere stalled it. Now each committed event is numbered afterwards, one
    // numberer at a time (an advisory lock), which makes the feed's order commit order with no such stall.
    await queryRunner.query('DROP INDEX "ix_outbox_feed"');
    await queryRunner.query('ALTER TABLE "outbox_events" DROP COLUMN "xact_id"');
    await queryRunner.query(`
      CREATE OR REPLACE FUNCTION set_outbox_event_identity() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        NEW.event_id := coalesce(NEW.event_id, gen_random_uuid());
        RETURN NEW;
      END $$`);
    await queryRunner.query('ALTER TABLE "outbox_events" ADD "feed_seq" bigint');
    await queryRunner.query('CREATE SEQUENCE "outbox_feed_seq"');
    await queryRunner.query(
      'CREATE INDEX "ix_outbox_feed" ON "outbox_events" ("organisation_id", "feed_seq") ',
    );
    await queryRunner.query(
      'CREATE INDEX "ix_outbox_feed_sequencing" ON "outbox_events" ("feed_seq", "id") ',
    );
  }

  public async down(): Promise<void> {
    throw new Error('Irreversible: restore from backup');
  }
}
