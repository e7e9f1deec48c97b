import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Registry bookkeeping:
 * - merkle_leaves.seq / revoked_seq: the batch (per-tree seq) that appended / revoked each leaf,
 *   so the rebuild-and-verify command can replay a tree batch by batch and check every root in
 *   its history, not only the latest.
 * - merkle_trees.change_seq and merkle_roots.change_seq: the last leaf-change seq
 *   (rv.registry.leaf-changes.v1 changeSeq) a tree / root includes; the tree writer skips
 *   changes at or below it, so redelivered records change nothing.
 * Queries use existing indexes: merkle_trees PK, merkle_leaves (track_id, index) unique and
 * (track_id, leaf_hash).
 */
export class RegistryLeafSeq1764430000000 implements MigrationInterface {
  name = 'RegistryLeafSeq1764430000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE merkle_leaves ADD COLUMN seq BIGINT, ADD COLUMN revoked_seq BIGINT`);
    await q.query(`ALTER TABLE merkle_trees ADD COLUMN change_seq BIGINT NOT NULL DEFAULT 0`);
    await q.query(`ALTER TABLE merkle_roots ADD COLUMN change_seq BIGINT NOT NULL DEFAULT 0`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE merkle_roots DROP COLUMN change_seq`);
    await q.query(`ALTER TABLE merkle_trees DROP COLUMN change_seq`);
    await q.query(`ALTER TABLE merkle_leaves DROP COLUMN revoked_seq, DROP COLUMN seq`);
  }
}
