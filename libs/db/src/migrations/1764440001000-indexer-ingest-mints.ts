import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The ingest's own list of registered track mints (it learns them from TrackRegistered in its own
 * stream, before the projector has written `tracks`), so a restarted ingest subscribes to the token
 * accounts of every mint it has ever published a registration for. PK (mint).
 */
export class IndexerIngestMints1764440001000 implements MigrationInterface {
  name = 'IndexerIngestMints1764440001000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE indexer_ingest_mints (
        mint        BYTEA PRIMARY KEY CHECK (octet_length(mint) = 32),
        track_id    BIGINT NOT NULL,
        slot        BIGINT NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS indexer_ingest_mints`);
  }
}
