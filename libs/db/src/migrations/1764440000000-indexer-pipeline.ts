import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexer bookkeeping:
 * - indexer_outbox: Kafka records written in the projector's transaction and published by the
 *   relay in id order (partial index on the unsent ones: the relay's only query).
 * - indexer_leaves: whether a leaf is present for (track, wallet) — the projector's view of what it
 *   told the registry; PK (track_id, wallet), plus (wallet) for identity changes.
 * - indexer_leaf_seq: the last leaf-change seq per track (gap-free, assigned in the projector tx).
 * - indexer_onchain_roots: every MerkleRootUpdated seen (PK track_id, seq), with the verdict.
 * - indexer_dead_letters: what the projector dead-lettered (status CLI counts them).
 * - indexer_checkpoints: the ingest's last fully published slot per stream name.
 * - indexer_published: what the ingest published per slot while the slot can still die
 *   (compensation source), PK (slot, id); pruned once the slot is finalized.
 */
export class IndexerPipeline1764440000000 implements MigrationInterface {
  name = 'IndexerPipeline1764440000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE indexer_outbox (
        id          BIGSERIAL PRIMARY KEY,
        topic       TEXT NOT NULL,
        key         TEXT,
        value       BYTEA NOT NULL,
        headers     JSONB,
        created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
        sent_at     TIMESTAMPTZ
      )`);
    await q.query(`CREATE INDEX indexer_outbox_unsent_idx ON indexer_outbox (id) WHERE sent_at IS NULL`);
    await q.query(
      `CREATE INDEX indexer_outbox_sent_idx ON indexer_outbox (sent_at) WHERE sent_at IS NOT NULL`,
    );
    await q.query(`
      CREATE TABLE indexer_leaves (
        track_id    BIGINT NOT NULL,
        wallet      BYTEA NOT NULL,
        leaf        BYTEA NOT NULL CHECK (octet_length(leaf) = 32),
        present     BOOLEAN NOT NULL,
        change_seq  BIGINT NOT NULL,
        PRIMARY KEY (track_id, wallet)
      )`);
    await q.query(`CREATE INDEX indexer_leaves_wallet_idx ON indexer_leaves (wallet)`);
    await q.query(`
      CREATE TABLE indexer_leaf_seq (
        track_id    BIGINT PRIMARY KEY,
        last_seq    BIGINT NOT NULL
      )`);
    await q.query(`
      CREATE TABLE indexer_onchain_roots (
        track_id    BIGINT NOT NULL,
        seq         BIGINT NOT NULL,
        root        BYTEA NOT NULL,
        leaf_count  BIGINT NOT NULL,
        slot        BIGINT NOT NULL,
        signature   TEXT NOT NULL,
        verdict     TEXT NOT NULL,
        PRIMARY KEY (track_id, seq)
      )`);
    await q.query(`
      CREATE TABLE indexer_dead_letters (
        id          BIGSERIAL PRIMARY KEY,
        topic       TEXT NOT NULL,
        partition   INTEGER NOT NULL,
        "offset"    BIGINT NOT NULL,
        code        TEXT NOT NULL,
        reason      TEXT NOT NULL,
        at          TIMESTAMPTZ NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE indexer_checkpoints (
        name        TEXT PRIMARY KEY,
        slot        BIGINT NOT NULL,
        updated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE indexer_published (
        slot        BIGINT NOT NULL,
        id          TEXT NOT NULL,
        record      BYTEA NOT NULL,
        PRIMARY KEY (slot, id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of [
      'indexer_published',
      'indexer_checkpoints',
      'indexer_dead_letters',
      'indexer_onchain_roots',
      'indexer_leaf_seq',
      'indexer_leaves',
      'indexer_outbox',
    ]) {
      await q.query(`DROP TABLE IF EXISTS ${t}`);
    }
  }
}
