import type { Pool, PoolClient } from 'pg';
import { FIELD_MODULUS, fieldFromBytes, fieldToBytes } from '@rv/crypto';
import type { MerkleNode, NodeKey, NodeReader } from '@rv/merkle';
import type { RootRecord, SnapshotRef, TreeState } from './tree-records';

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
  history_from_seq: string;
}

/** A merkle_roots row joined to a read (null columns: no such root / seq). */
interface AtRow {
  r_seq: string | null;
  r_root: Buffer | null;
  r_leaf_count: string | null;
  r_slot: string | null;
  r_change_seq: string | null;
  r_next_index: string | null;
}

/** Result of a read at a named snapshot, all from one statement. */
export type SnapshotRead<T> =
  | { kind: 'no-tree' }
  | { kind: 'unknown-root'; head: TreeState }
  | { kind: 'pruned'; head: TreeState; at: TreeState }
  | { kind: 'ok'; head: TreeState; at: TreeState; data: T };

const TREE_COLUMNS = `t.track_id::text, t.depth, t.next_index::text, t.leaf_count::text, t.seq::text, t.root, t.slot::text, t.change_seq::text, t.history_from_seq::text`;

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
    historyFromSeq: Number(r.history_from_seq),
  };
}

/** The tree as of a merkle_roots row (its root, seq, slot, counts). */
function toSnapshot(head: TreeState, r: AtRow): TreeState | undefined {
  if (r.r_seq === null || r.r_root === null) return undefined;
  return {
    ...head,
    seq: Number(r.r_seq),
    root: fieldFromBytes(r.r_root, 'stored root'),
    leafCount: Number(r.r_leaf_count),
    slot: Number(r.r_slot),
    changeSeq: BigInt(r.r_change_seq ?? '0'),
    nextIndex: Number(r.r_next_index ?? 0),
  };
}

/**
 * The merkle_roots row a snapshot reference names ($4: a seq, or a root value: its newest seq),
 * joined to the tree row `t`. merkle_roots PK (track_id, seq) / merkle_roots_root_idx.
 */
function rootJoin(at: SnapshotRef): { sql: string; param: string | Buffer } {
  const by = 'seq' in at ? 'r.seq = $4::bigint' : 'r.root = $4::bytea';
  return {
    sql: `LEFT JOIN LATERAL (
            SELECT r.seq::text AS r_seq, r.root AS r_root, r.leaf_count::text AS r_leaf_count, r.slot::text AS r_slot,
                   r.change_seq::text AS r_change_seq, r.next_index::text AS r_next_index
              FROM merkle_roots r WHERE r.track_id = t.track_id AND ${by} ORDER BY r.seq DESC LIMIT 1) r ON true`,
    param: 'seq' in at ? String(at.seq) : toBytea(at.root),
  };
}

/**
 * Hash of node (level, idx) of tree `t` as of seq `r.r_seq`, or NULL if not written by then:
 * the current row if it was written at or before that seq, else the newest superseded version
 * at or before it (merkle_nodes PK, then merkle_node_versions PK backward scan).
 */
const nodeAtSql = (level: string, idx: string): string =>
  `(SELECT CASE WHEN n.seq <= r.r_seq::bigint THEN n.hash ELSE
       (SELECT v.hash FROM merkle_node_versions v
         WHERE v.track_id = n.track_id AND v.level = n.level AND v.index = n.index AND v.seq <= r.r_seq::bigint
         ORDER BY v.seq DESC LIMIT 1) END
      FROM merkle_nodes n WHERE n.track_id = t.track_id AND n.level = ${level} AND n.index = ${idx})`;

function splitHex(hashes: string | null, n: number): (bigint | undefined)[] {
  const parts = n === 0 ? [] : (hashes ?? '').split(',');
  if (parts.length !== n) throw new Error(`expected ${n} node values, got ${parts.length}`);
  return parts.map((h) => (h === '' ? undefined : parseStoredHex(h)));
}

function snapshotOf<T>(row: (TreeRow & AtRow) | undefined, data: (at: TreeState) => T): SnapshotRead<T> {
  if (!row) return { kind: 'no-tree' };
  const head = toTree(row);
  const at = toSnapshot(head, row);
  if (!at) return { kind: 'unknown-root', head };
  if (at.seq < head.historyFromSeq) return { kind: 'pruned', head, at };
  return { kind: 'ok', head, at, data: data(at) };
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
 * merkle_roots PK (track_id, seq) and merkle_roots_root_idx (track_id, root); merkle_leaves
 * (track_id, index) unique and merkle_leaves_leaf_hash_idx (track_id, leaf_hash);
 * merkle_node_versions PK (track_id, level, index, seq) for reads at an older seq and
 * merkle_node_versions_replaced_idx (track_id, replaced_seq) for pruning (migration
 * 1764700000000-registry-node-history).
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

  /**
   * Tree rows (heads) of several tracks in one statement (merkle_trees PK). A named (prepared)
   * statement: it runs for nearly every path request, so it is parsed and planned once per
   * connection.
   */
  async getTrees(trackIds: readonly bigint[]): Promise<TreeState[]> {
    const { rows } = await this.pool.query<TreeRow>({
      name: 'rv-registry-heads',
      text: `SELECT ${TREE_COLUMNS} FROM merkle_trees t WHERE t.track_id = ANY($1::bigint[])`,
      values: [`{${trackIds.join(',')}}`],
    });
    return rows.map(toTree);
  }

  /** The tree row and the given nodes (undefined = never written), from one snapshot. */
  async readNodes(
    trackId: bigint,
    keys: readonly NodeKey[],
    db: Queryable = this.pool,
  ): Promise<{ tree: TreeState; values: (bigint | undefined)[] } | undefined> {
    // One index probe per key (a join would hash the whole tree); hashes come back as one
    // comma-separated hex string (empty = never written), far cheaper to decode than bytea[].
    const { rows } = await db.query<TreeRow & { hashes: string | null }>({
      // Named: prepared once per connection (path reads run it all the time).
      name: 'rv-registry-read-nodes',
      text: `SELECT ${TREE_COLUMNS},
         (SELECT string_agg(coalesce(encode((SELECT n.hash FROM merkle_nodes n
                   WHERE n.track_id = t.track_id AND n.level = k.level AND n.index = k.idx), 'hex'), ''), ',' ORDER BY k.ord)
            FROM unnest($2::smallint[], $3::bigint[]) WITH ORDINALITY AS k(level, idx, ord)) AS hashes
       FROM merkle_trees t WHERE t.track_id = $1`,
      // Array literals built directly: pg's generic array serializer is slow for thousands of keys.
      values: [
        trackId.toString(),
        `{${keys.map((k) => k.level).join(',')}}`,
        `{${keys.map((k) => k.index).join(',')}}`,
      ],
    });
    const row = rows[0];
    if (!row) return undefined;
    const parts = keys.length === 0 ? [] : (row.hashes ?? '').split(',');
    if (parts.length !== keys.length)
      throw new Error(`expected ${keys.length} node values, got ${parts.length}`);
    return { tree: toTree(row), values: parts.map((h) => (h === '' ? undefined : parseStoredHex(h))) };
  }

  /**
   * The given nodes as of a named snapshot (seq or root), with the tree row and that root's
   * record, from ONE statement: a writer's commit or pruning is either wholly visible or not.
   */
  async readNodesAt(
    trackId: bigint,
    at: SnapshotRef,
    keys: readonly NodeKey[],
  ): Promise<SnapshotRead<(bigint | undefined)[]>> {
    const join = rootJoin(at);
    const { rows } = await this.pool.query<TreeRow & AtRow & { hashes: string | null }>(
      `SELECT ${TREE_COLUMNS}, r.*,
         CASE WHEN r.r_seq::bigint >= t.history_from_seq THEN
           (SELECT string_agg(coalesce(encode(${nodeAtSql('k.level', 'k.idx')}, 'hex'), ''), ',' ORDER BY k.ord)
              FROM unnest($2::smallint[], $3::bigint[]) WITH ORDINALITY AS k(level, idx, ord)) END AS hashes
       FROM merkle_trees t ${join.sql}
       WHERE t.track_id = $1`,
      [
        trackId.toString(),
        `{${keys.map((k) => k.level).join(',')}}`,
        `{${keys.map((k) => k.index).join(',')}}`,
        join.param,
      ],
    );
    const row = rows[0];
    return snapshotOf(row, () => splitHex(row?.hashes ?? null, keys.length));
  }

  /** Leaves with index >= cursor as of a named snapshot (revoked later = still there), one statement. */
  async leavesPageAt(
    trackId: bigint,
    at: SnapshotRef,
    cursor: number,
    limit: number,
  ): Promise<SnapshotRead<{ index: number; leaf: bigint }[]>> {
    const join = rootJoin(at);
    const { rows } = await this.pool.query<TreeRow & AtRow & { hashes: string | null; n: number | null }>(
      `SELECT ${TREE_COLUMNS}, r.*, p.n, p.hashes
         FROM merkle_trees t ${join.sql}
         LEFT JOIN LATERAL (
           SELECT count(*)::int AS n, string_agg(coalesce(encode(${nodeAtSql('0', 'g.i')}, 'hex'), ''), ',' ORDER BY g.i) AS hashes
             FROM generate_series($2::bigint, least($2::bigint + $3::bigint, r.r_next_index::bigint) - 1) AS g(i)
            WHERE r.r_seq::bigint >= t.history_from_seq
         ) p ON true
        WHERE t.track_id = $1`,
      [trackId.toString(), cursor, limit, join.param],
    );
    const row = rows[0];
    return snapshotOf(row, () =>
      splitHex(row?.hashes ?? null, row?.n ?? 0).map((v, k) => ({ index: cursor + k, leaf: v ?? 0n })),
    );
  }

  /** Index of the leaf with this value that was live at the named snapshot (the newest if several). */
  async findLeafIndexAt(trackId: bigint, leaf: bigint, at: SnapshotRef): Promise<number | undefined> {
    const by = 'seq' in at ? 'r.seq = $3::bigint' : 'r.root = $3::bytea';
    const { rows } = await this.pool.query<{ index: string }>(
      `SELECT l.index::text FROM merkle_roots r
         JOIN merkle_leaves l ON l.track_id = r.track_id AND l.leaf_hash = $2 AND l.seq <= r.seq
                             AND (l.revoked_seq IS NULL OR l.revoked_seq > r.seq)
        WHERE r.track_id = $1 AND ${by}
        ORDER BY r.seq DESC, l.index DESC LIMIT 1`,
      [trackId.toString(), toBytea(leaf), 'seq' in at ? String(at.seq) : toBytea(at.root)],
    );
    return rows[0] ? Number(rows[0].index) : undefined;
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
      // l.index: an unqualified ORDER BY index would sort by the text output column
      `SELECT l.index::text AS index FROM merkle_leaves l
        WHERE l.track_id = $1 AND l.leaf_hash = $2 AND l.revoked_at IS NULL ORDER BY l.index DESC LIMIT 1`,
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
      `SELECT l.index::text AS index, l.leaf_hash FROM merkle_leaves l
        WHERE l.track_id = $1 AND l.leaf_hash = ANY($2::bytea[]) AND l.revoked_at IS NULL ORDER BY l.index`,
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

  /**
   * Copies the current rows of nodes about to be overwritten by batch `seq` into
   * merkle_node_versions (replaced_seq = seq). `keys` may name nodes that do not exist yet.
   */
  async archiveNodes(db: Queryable, trackId: bigint, seq: number, keys: readonly NodeKey[]): Promise<void> {
    if (keys.length === 0) return;
    await db.query(
      `INSERT INTO merkle_node_versions (track_id, level, index, seq, replaced_seq, hash)
       SELECT n.track_id, n.level, n.index, n.seq, $2, n.hash
         FROM unnest($3::smallint[], $4::bigint[]) AS k(level, idx)
         JOIN merkle_nodes n ON n.track_id = $1 AND n.level = k.level AND n.index = k.idx
        WHERE n.seq < $2`,
      [
        trackId.toString(),
        seq,
        `{${keys.map((k) => k.level).join(',')}}`,
        `{${keys.map((k) => k.index).join(',')}}`,
      ],
    );
  }

  /** Drops node versions no seq >= fromSeq needs (superseded at or before it). */
  async pruneHistory(db: Queryable, trackId: bigint, fromSeq: number): Promise<number> {
    const r = await db.query(`DELETE FROM merkle_node_versions WHERE track_id = $1 AND replaced_seq <= $2`, [
      trackId.toString(),
      fromSeq,
    ]);
    return r.rowCount ?? 0;
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
      `INSERT INTO merkle_roots (track_id, seq, root, leaf_count, slot, change_seq, next_index)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        trackId.toString(),
        next.seq,
        toBytea(next.root),
        next.leafCount,
        next.slot,
        next.changeSeq.toString(),
        next.nextIndex,
      ],
    );
    await db.query(
      `UPDATE merkle_trees SET next_index = $2, leaf_count = $3, seq = $4, root = $5, slot = $6, change_seq = $7,
              history_from_seq = $8, updated_at = now()
        WHERE track_id = $1`,
      [
        trackId.toString(),
        next.nextIndex,
        next.leafCount,
        next.seq,
        toBytea(next.root),
        next.slot,
        next.changeSeq.toString(),
        next.historyFromSeq,
      ],
    );
  }
}
