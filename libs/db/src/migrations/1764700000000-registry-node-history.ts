import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Registry node history: paths and leaves at any retained seq (a root the chain accepted lags the
 * head, so provers and partners ask for paths at a named older root).
 *
 * - merkle_nodes keeps ONLY the current version of each node (the current-root path read is
 *   unchanged: one PK probe per node).
 * - merkle_node_versions holds every superseded version: the value a node had from `seq` (the batch
 *   that wrote it) until `replaced_seq` (the batch that overwrote it). The tree writer copies a
 *   node's current row here, in its batch transaction, just before overwriting it; appends only
 *   overwrite the ~depth nodes on the right edge, so history costs little on the append path.
 * - merkle_trees.history_from_seq: the oldest seq whose paths can still be served (retention:
 *   the newest REGISTRY_ROOT_HISTORY roots); versions with replaced_seq <= it are pruned in the
 *   same transaction that advances it, so a reader that reads it in its statement never sees a
 *   half-pruned seq.
 * - merkle_roots.next_index: positions in use at that seq (leaf pages and index range at a seq).
 *
 * Read of node (level, index) at seq S, ONE statement per request (pg-tree.store.ts readNodesAt):
 *   current row n = merkle_nodes PK (track_id, level, index); if n.seq <= S then n.hash, else
 *   SELECT hash FROM merkle_node_versions WHERE track_id = $t AND level = $l AND index = $i
 *     AND seq <= S ORDER BY seq DESC LIMIT 1   -- merkle_node_versions PK, backward index scan
 *   no row either way: the node was not written at S (empty subtree).
 * The snapshot root of seq S: merkle_roots PK (track_id, seq); of a root value:
 *   merkle_roots_root_idx (track_id, root). Pruning: merkle_node_versions_replaced_idx
 *   (track_id, replaced_seq).
 */
export class RegistryNodeHistory1764700000000 implements MigrationInterface {
  name = 'RegistryNodeHistory1764700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE merkle_node_versions (
        track_id     BIGINT NOT NULL,
        level        SMALLINT NOT NULL,
        index        BIGINT NOT NULL,
        seq          BIGINT NOT NULL,
        replaced_seq BIGINT NOT NULL CHECK (replaced_seq > seq),
        hash         BYTEA NOT NULL CHECK (octet_length(hash) = 32),
        PRIMARY KEY (track_id, level, index, seq)
      )`);
    await q.query(
      `CREATE INDEX merkle_node_versions_replaced_idx ON merkle_node_versions (track_id, replaced_seq)`,
    );
    // Trees that exist already have no history: only their current seq is servable.
    await q.query(`ALTER TABLE merkle_trees ADD COLUMN history_from_seq BIGINT NOT NULL DEFAULT 0`);
    await q.query(`UPDATE merkle_trees SET history_from_seq = seq`);
    await q.query(`ALTER TABLE merkle_roots ADD COLUMN next_index BIGINT`);
    await q.query(`
      UPDATE merkle_roots r SET next_index = coalesce(
        (SELECT max(l.index) + 1 FROM merkle_leaves l WHERE l.track_id = r.track_id AND l.seq <= r.seq), 0)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE merkle_roots DROP COLUMN next_index`);
    await q.query(`ALTER TABLE merkle_trees DROP COLUMN history_from_seq`);
    await q.query(`DROP TABLE merkle_node_versions`);
  }
}
