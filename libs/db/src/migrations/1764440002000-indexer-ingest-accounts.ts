import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every token account of a registered mint the ingest has published (PK token_account), so a
 * restarted ingest that must backfill over RPC re-reads all of them, whether or not the projector
 * has caught up with them yet.
 */
export class IndexerIngestAccounts1764440002000 implements MigrationInterface {
  name = 'IndexerIngestAccounts1764440002000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE indexer_ingest_accounts (
        token_account BYTEA PRIMARY KEY CHECK (octet_length(token_account) = 32),
        wallet        BYTEA NOT NULL,
        mint          BYTEA NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS indexer_ingest_accounts`);
  }
}
