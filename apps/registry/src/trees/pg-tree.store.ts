import type { Pool, PoolClient } from 'pg';
import { FIELD_MODULUS, fieldFromBytes, fieldToBytes } from '@rv/crypto';
import type { MerkleNode, NodeKey, NodeReader } from '@rv/merkle';
import type { RootRecord, TreeState } from './tree-records';

type Queryable = Pool | PoolClient;

interface TreeRow {
  track_id: string;
  depth: number;
  next_index: string;
  leaf_count: string;
  seq: string;
  root: Buffer;
  slot: string;
  change_seq: string;
}

const TREE_COLUMNS = `t.track_id::text, t.depth, t.next_index::text, t.leaf_count::text, t.seq::text, t.root, t.slot::text, t.change_seq::text`;

function toTree(r: TreeRow): TreeState {
  return {
    trackId: BigInt(r.track_id),
    depth: r.depth,
    nextIndex: Number(r.next_index),
    leafCount: Number(r.leaf_count),
    seq: Number(r.seq),
    root: fieldFromBytes(r.root, 'stored root'),
    slot: Number(r.slot),
    changeSeq: BigInt(r.change_seq),
  };
}

const toBytea = (x: bigint): Buffer => Buffer.from(fieldToBytes(x));

/** Stored node from encode(hash, 'hex'): trusted format, still length- and range-checked. */
function parseStoredHex(h: string): bigint {
  if (h.length !== 64) throw new Error(`stored node is ${h.length / 2} bytes, expected 32`);
  const x = BigInt('0x' + h);
  if (x >= FIELD_MODULUS) throw new Error('stored node is not a field element');
  return x;
}

/**
 * SQL of the registry tables (merkle_trees, merkle_nodes, merkle_leaves, merkle_roots).
 * Every read that serves an answer is ONE statement, so the tree row (root, seq, slot) and the
 * nodes or leaves come from one snapshot even while a writer commits. Indexes used:
 * merkle_trees PK (track_id); merkle_nodes PK (track_id, level, index);
 * merkle_roots PK (track_id, seq); merkle_leaves (track_id, index) unique and
 * merkle_leaves_leaf_hash_idx (track_id, leaf_hash).
 */
export class PgTreeStore {
  constructor(readonly pool: Pool) {}

  async listTrees(): Promise<TreeState[]> {
    const { rows } = await this.pool.query<TreeRow>(
      `SELECT ${TREE_COLUMNS} FROM merkle_trees t ORDER BY t.track_id`,
    );
    return rows.map(toTree);
  }

  async getTree(
    trackId: bigint,
    db: Queryable = this.pool,
    forUpdate = false,
  ): Promise<TreeState | undefined> {
    const { rows } = await db.query<TreeRow>(
      `SELECT ${TREE_COLUMNS} FROM merkle_trees t WHERE t.track_id = $1${forUpdate ? ' FOR UPDATE' : ''}`,
      [trackId.toString()],
    );
    return rows[0] ? toTree(rows[0]) : undefined;
  }

  /** The tree row and the given nodes (undefined = never written), from one snapshot. */
  async readNodes(
    trackId: bigint,
    keys: readonly NodeKey[],
    db: Queryable = this.pool,
  ): Promise<{ tree: TreeState; values: (bigint | undefined)[] } | undefined> {
    // One index probe per key (a join would hash the whole tree); hashes come back as one
    // comma-separated hex string (empty = never written), far cheaper to decode than bytea[].
    const { rows } = await db.query<TreeRow & { hashes: string | null }>(
      `SELECT ${TREE_COLUMNS},
         (SELECT string_agg(coalesce(encode((SELECT n.hash FROM merkle_nodes n
                   WHERE n.track_id = t.track_id AND n.level = k.level AND n.index = k.idx), 'hex'), ''), ',' ORDER BY k.ord)
            FROM unnest($2::smallint[], $3::bigint[]) WITH ORDINALITY AS k(level, idx, ord)) AS hashes
       FROM merkle_trees t WHERE t.track_id = $1`,
      // Array literals built directly: pg's generic array serializer is slow for thousands of keys.
      [
        trackId.toString(),
        `{${keys.map((k) => k.level).join(',')}}`,
        `{${keys.map((k) => k.index).join(',')}}`,
      ],
    );
    const row = rows[0];
    if (!row) return undefined;
    const parts = keys.length === 0 ? [] : (row.hashes ?? '').split(',');
    if (parts.length !== keys.length)
      throw new Error(`expected ${keys.length} node values, got ${parts.length}`);
    return { tree: toTree(row), values: parts.map((h) => (h === '' ? undefined : parseStoredHex(h))) };
  }

  /** A NodeReader over readNodes that remembers the tree row of its last read. */
  snapshotReader(
    trackId: bigint,
    db: Queryable = this.pool,
  ): NodeReader & { tree?: TreeState; found: boolean } {
    const readNodes = (keys: readonly NodeKey[]) => this.readNodes(trackId, keys, db);
    return {
      found: true,
      tree: undefined,
      async getNodes(keys) {
        const r = await readNodes(keys);
        if (!r) {
          this.found = false;
          return keys.map(() => undefined);
        }
        this.tree = r.tree;
        return r.values;
      },
    };
  }

  /** Tree row and the newest `limit` roots, from one snapshot. */
  async rootHistory(
    trackId: bigint,
    limit: number,
  ): Promise<{ tree: TreeState; roots: RootRecord[] } | undefined> {
    const { rows } = await this.pool.query<
      TreeRow & {
        roots: { seq: string; root: string; leaf_count: string; slot: string; accepted: boolean }[];
      }
    >(
      `SELECT ${TREE_COLUMNS},
         ARRAY(SELECT json_build_object('seq', r.seq::text, 'root', encode(r.root, 'hex'), 'leaf_count', r.leaf_count::text,
                                        'slot', r.slot::text, 'accepted', r.accepted)
                 FROM merkle_roots r WHERE r.track_id = t.track_id ORDER BY r.seq DESC LIMIT $2) AS roots
       FROM merkle_trees t WHERE t.track_id = $1`,
      [trackId.toString(), limit],
    );
    const row = rows[0];
    if (!row) return undefined;
    return {
      tree: toTree(row),
      roots: row.roots.map((r) => ({
        seq: Number(r.seq),
        root: BigInt('0x' + r.root),
        leafCount: Number(r.leaf_count),
        slot: Number(r.slot),
        accepted: r.accepted,
      })),
    };
  }

  /** Tree row and leaves (current values, revoked = 0) with index >= cursor, in index order. */
  async leavesPage(
    trackId: bigint,
    cursor: number,
    limit: number,
  ): Promise<{ tree: TreeState; leaves: { index: number; leaf: bigint }[] } | undefined> {
    const { rows } = await this.pool.query<TreeRow & { idx: string[]; hashes: Buffer[] }>(
      `SELECT ${TREE_COLUMNS}, coalesce(p.idx, '{}') AS idx, coalesce(p.hashes, '{}') AS hashes
         FROM merkle_trees t
         LEFT JOIN LATERAL (
           SELECT array_agg(n.index::text ORDER BY n.index) AS idx, array_agg(n.hash ORDER BY n.index) AS hashes
             FROM (SELECT index, hash FROM merkle_nodes
                    WHERE track_id = t.track_id AND level = 0 AND index >= $2 ORDER BY index LIMIT $3) n
         ) p ON true
        WHERE t.track_id = $1`,
      [trackId.toString(), cursor, limit],
    );
    const row = rows[0];
    if (!row) return undefined;
    return {
      tree: toTree(row),
      leaves: row.idx.map((i, k) => ({
        index: Number(i),
        leaf: fieldFromBytes(row.hashes[k] as Buffer, 'stored leaf'),
      })),
    };
  }

  /** Index of the live leaf with this value (the newest if it occurs more than once). */
  async findLeafIndex(trackId: bigint, leaf: bigint, db: Queryable = this.pool): Promise<number | undefined> {
    const { rows } = await db.query<{ index: string }>(
      `SELECT index::text FROM merkle_leaves
        WHERE track_id = $1 AND leaf_hash = $2 AND revoked_at IS NULL ORDER BY index DESC LIMIT 1`,
      [trackId.toString(), toBytea(leaf)],
    );
    return rows[0] ? Number(rows[0].index) : undefined;
  }

  /** Indexes of live leaves with these values (for revokes named by leaf). */
  async findLiveLeaves(
    trackId: bigint,
    leaves: readonly bigint[],
    db: Queryable,
  ): Promise<Map<bigint, number[]>> {
    const out = new Map<bigint, number[]>();
    if (leaves.length === 0) return out;
    const { rows } = await db.query<{ index: string; leaf_hash: Buffer }>(
      `SELECT index::text, leaf_hash FROM merkle_leaves
        WHERE track_id = $1 AND leaf_hash = ANY($2::bytea[]) AND revoked_at IS NULL ORDER BY index`,
      [trackId.toString(), leaves.map(toBytea)],
    );
    for (const r of rows) {
      const k = fieldFromBytes(r.leaf_hash);
      out.set(k, [...(out.get(k) ?? []), Number(r.index)]);
    }
    return out;
  }

  async createTree(db: Queryable, trackId: bigint, depth: number, emptyRoot: bigint): Promise<void> {
    await db.query(
      `INSERT INTO merkle_trees (track_id, depth, root) VALUES ($1, $2, $3) ON CONFLICT (track_id) DO NOTHING`,
      [trackId.toString(), depth, toBytea(emptyRoot)],
    );
  }

  async insertLeaves(
    db: Queryable,
    trackId: bigint,
    seq: number,
    leaves: readonly { index: number; leaf: bigint; walletHash: Buffer; tokenId: Buffer }[],
  ): Promise<void> {
    if (leaves.length === 0) return;
    await db.query(
      `INSERT INTO merkle_leaves (track_id, seq, wallet_hash, token_id, leaf_hash, index)
       SELECT $1, $2, * FROM unnest($3::bytea[], $4::bytea[], $5::bytea[], $6::bigint[])`,
      [
        trackId.toString(),
        seq,
        leaves.map((l) => l.walletHash),
        leaves.map((l) => l.tokenId),
        leaves.map((l) => toBytea(l.leaf)),
        leaves.map((l) => l.index),
      ],
    );
  }

  async revokeLeaves(db: Queryable, trackId: bigint, seq: number, indexes: readonly number[]): Promise<void> {
    if (indexes.length === 0) return;
    await db.query(
      `UPDATE merkle_leaves SET revoked_at = now(), revoked_seq = $2
        WHERE track_id = $1 AND index = ANY($3::bigint[]) AND revoked_at IS NULL`,
      [trackId.toString(), seq, indexes],
    );
  }

  /** Upserts nodes: one multi-row statement per 20k nodes. */
  async putNodes(db: Queryable, trackId: bigint, seq: number, nodes: readonly MerkleNode[]): Promise<void> {
    const CHUNK = 20000;
    for (let i = 0; i < nodes.length; i += CHUNK) {
      const part = nodes.slice(i, i + CHUNK);
      await db.query(
        `INSERT INTO merkle_nodes (track_id, seq, level, index, hash)
         SELECT $1, $2, * FROM unnest($3::smallint[], $4::bigint[], $5::bytea[])
         ON CONFLICT (track_id, level, index) DO UPDATE SET hash = EXCLUDED.hash, seq = EXCLUDED.seq`,
        [
          trackId.toString(),
          seq,
          part.map((n) => n.level),
          part.map((n) => n.index),
          part.map((n) => toBytea(n.value)),
        ],
      );
    }
  }

  async recordRoot(db: Queryable, trackId: bigint, next: TreeState): Promise<void> {
    await db.query(
      `INSERT INTO merkle_roots (track_id, seq, root, leaf_count, slot, change_seq) VALUES ($1, $2, $3, $4, $5, $6)`,
      [
        trackId.toString(),
        next.seq,
        toBytea(next.root),
        next.leafCount,
        next.slot,
        next.changeSeq.toString(),
      ],
    );
    await db.query(
      `UPDATE merkle_trees SET next_index = $2, leaf_count = $3, seq = $4, root = $5, slot = $6, change_seq = $7, updated_at = now()
        WHERE track_id = $1`,
      [
        trackId.toString(),
        next.nextIndex,
        next.leafCount,
        next.seq,
        toBytea(next.root),
        next.slot,
        next.changeSeq.toString(),
      ],
    );
  }
}
