import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Registry: remember which batch (per-tree seq) appended and which revoked each leaf, so the
 * rebuild-and-verify command can replay a tree batch by batch and check every root in its
 * history, not only the latest. Paging leaves in index order and the tree writer's lookups use
 * the existing (track_id, index) unique index and merkle_leaves_leaf_hash_idx.
 */
export class RegistryLeafSeq1764430000000 implements MigrationInterface {
  name = 'RegistryLeafSeq1764430000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE merkle_leaves ADD COLUMN seq BIGINT, ADD COLUMN revoked_seq BIGINT`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE merkle_leaves DROP COLUMN revoked_seq, DROP COLUMN seq`);
  }
}
