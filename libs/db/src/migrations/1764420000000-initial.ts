import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The foundation schema. The seed guide's tables keep their names and columns (merkle_leaves,
 * nullifiers, verifications — the last never holds a wallet address); track ids are the on-chain
 * u64 (BIGINT) and leaf indexes BIGINT because a depth-32 tree has 2^32 positions. Every query a
 * user can trigger is backed by an index named here.
 */
export class Initial1764420000000 implements MigrationInterface {
  name = 'Initial1764420000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE tracks (
        track_id     BIGINT PRIMARY KEY,
        mint         BYTEA NOT NULL UNIQUE CHECK (octet_length(mint) = 32),
        depth        SMALLINT NOT NULL CHECK (depth BETWEEN 1 AND 32),
        slot         BIGINT NOT NULL,
        signature    TEXT,
        registered_at TIMESTAMPTZ NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE merkle_trees (
        track_id     BIGINT PRIMARY KEY,
        depth        SMALLINT NOT NULL CHECK (depth BETWEEN 1 AND 32),
        next_index   BIGINT NOT NULL DEFAULT 0,
        leaf_count   BIGINT NOT NULL DEFAULT 0,
        seq          BIGINT NOT NULL DEFAULT 0,
        root         BYTEA NOT NULL CHECK (octet_length(root) = 32),
        slot         BIGINT NOT NULL DEFAULT 0,
        updated_at   TIMESTAMPTZ NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE merkle_leaves (
        id           BIGSERIAL PRIMARY KEY,
        wallet_hash  BYTEA NOT NULL,
        token_id     BYTEA NOT NULL,
        track_id     BIGINT NOT NULL REFERENCES merkle_trees(track_id),
        leaf_hash    BYTEA NOT NULL CHECK (octet_length(leaf_hash) = 32),
        index        BIGINT NOT NULL CHECK (index >= 0),
        created_at   TIMESTAMP DEFAULT NOW(),
        revoked_at   TIMESTAMPTZ,
        UNIQUE (track_id, index)
      )`);
    await q.query(`CREATE INDEX merkle_leaves_leaf_hash_idx ON merkle_leaves (track_id, leaf_hash)`);
    await q.query(`
      CREATE TABLE merkle_nodes (
        track_id     BIGINT NOT NULL,
        level        SMALLINT NOT NULL,
        index        BIGINT NOT NULL,
        hash         BYTEA NOT NULL CHECK (octet_length(hash) = 32),
        seq          BIGINT NOT NULL,
        PRIMARY KEY (track_id, level, index)
      )`);
    await q.query(`
      CREATE TABLE merkle_roots (
        track_id     BIGINT NOT NULL REFERENCES merkle_trees(track_id),
        seq          BIGINT NOT NULL,
        root         BYTEA NOT NULL CHECK (octet_length(root) = 32),
        leaf_count   BIGINT NOT NULL,
        slot         BIGINT NOT NULL,
        accepted     BOOLEAN NOT NULL DEFAULT false,
        accepted_slot BIGINT,
        accepted_signature TEXT,
        created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
        PRIMARY KEY (track_id, seq)
      )`);
    await q.query(`CREATE INDEX merkle_roots_root_idx ON merkle_roots (track_id, root)`);
    await q.query(`
      CREATE TABLE identities (
        wallet       BYTEA PRIMARY KEY CHECK (octet_length(wallet) = 32),
        commitment   BYTEA NOT NULL CHECK (octet_length(commitment) = 32),
        slot         BIGINT NOT NULL,
        signature    TEXT NOT NULL,
        registered_at TIMESTAMPTZ NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE holdings (
        token_account BYTEA PRIMARY KEY CHECK (octet_length(token_account) = 32),
        wallet       BYTEA NOT NULL,
        mint         BYTEA NOT NULL,
        amount       NUMERIC(20, 0) NOT NULL CHECK (amount >= 0),
        slot         BIGINT NOT NULL,
        write_version BIGINT NOT NULL,
        updated_at   TIMESTAMPTZ NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX holdings_wallet_mint_idx ON holdings (wallet, mint)`);
    await q.query(`CREATE INDEX holdings_mint_idx ON holdings (mint)`);
    await q.query(`
      CREATE TABLE nullifiers (
        hash         BYTEA PRIMARY KEY,
        track_id     BIGINT NOT NULL,
        used_at      TIMESTAMP NOT NULL,
        tx_signature TEXT,
        scope        BYTEA,
        slot         BIGINT
      )`);
    await q.query(`
      CREATE TABLE verifications (
        id           BIGSERIAL PRIMARY KEY,
        track_id     BIGINT NOT NULL,
        timestamp    TIMESTAMP NOT NULL,
        scope        BYTEA NOT NULL,
        nullifier    BYTEA NOT NULL UNIQUE,
        slot         BIGINT NOT NULL,
        signature    TEXT NOT NULL
      )`);
    await q.query(`CREATE INDEX verifications_track_time_idx ON verifications (track_id, timestamp)`);
    await q.query(`CREATE INDEX verifications_scope_idx ON verifications (scope)`);
    await q.query(`
      CREATE TABLE consumer_offsets (
        consumer_group TEXT NOT NULL,
        topic        TEXT NOT NULL,
        partition    INTEGER NOT NULL,
        next_offset  BIGINT NOT NULL,
        updated_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer_group, topic, partition)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of [
      'consumer_offsets',
      'verifications',
      'nullifiers',
      'holdings',
      'identities',
      'merkle_roots',
      'merkle_nodes',
      'merkle_leaves',
      'merkle_trees',
      'tracks',
    ]) {
      await q.query(`DROP TABLE IF EXISTS ${t}`);
    }
  }
}
