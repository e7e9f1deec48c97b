import type { Pool } from 'pg';
import { fieldFromBytes, fieldToHex, getHasher, type Poseidon2Hasher } from '@rv/crypto';
import { MemoryNodeStore, SparseMerkleTree, type LeafChange } from '@rv/merkle';
import { PgTreeStore } from './pg-tree.store';
import type { TreeState } from './tree-records';

export interface VerifyProgress {
  trackId: bigint;
  phase: 'replay' | 'nodes';
  done: number;
  total: number;
}

export interface TreeReport {
  trackId: bigint;
  seq: number;
  leaves: number;
  nodesChecked: number;
  /** Human-readable mismatches (first 50 kept), and how many there were. */
  mismatches: string[];
  mismatchCount: number;
}

/**
 * Recomputes each tree from merkle_leaves, batch by batch (leaf.seq / revoked_seq), and checks
 * every root in merkle_roots, the tree row, every stored node in merkle_nodes (both ways), and
 * every superseded node version in merkle_node_versions against the tree right after the batch
 * that wrote it (so paths served at older roots are checked too).
 */
export class RebuildAndVerify {
  private readonly store: PgTreeStore;

  constructor(
    private readonly pool: Pool,
    private readonly hasher: Poseidon2Hasher = getHasher(),
  ) {
    this.store = new PgTreeStore(pool);
  }

  async run(
    trackIds?: readonly bigint[],
    onProgress: (p: VerifyProgress) => void = () => undefined,
  ): Promise<TreeReport[]> {
    const trees = (await this.store.listTrees()).filter((t) => !trackIds || trackIds.includes(t.trackId));
    const reports: TreeReport[] = [];
    for (const t of trees) reports.push(await this.verifyTree(t, onProgress));
    return reports;
  }

  private async verifyTree(tree: TreeState, onProgress: (p: VerifyProgress) => void): Promise<TreeReport> {
    const report: TreeReport = {
      trackId: tree.trackId,
      seq: tree.seq,
      leaves: 0,
      nodesChecked: 0,
      mismatches: [],
      mismatchCount: 0,
    };
    const bad = (msg: string): void => {
      report.mismatchCount++;
      if (report.mismatches.length < 50) report.mismatches.push(`track ${tree.trackId}: ${msg}`);
    };
    const id = tree.trackId.toString();

    // Leaves and the batch that appended / revoked each.
    const perSeq = new Map<number, LeafChange[]>();
    const add = (seq: number, c: LeafChange): void => {
      const list = perSeq.get(seq);
      if (list) list.push(c);
      else perSeq.set(seq, [c]);
    };
    const revokes: [number, number][] = [];
    const { rows: leaves } = await this.pool.query<{
      index: string;
      leaf_hash: Buffer;
      seq: string | null;
      revoked_seq: string | null;
    }>(
      `SELECT l.index::text AS index, l.leaf_hash, l.seq::text AS seq, l.revoked_seq::text AS revoked_seq
         FROM merkle_leaves l WHERE l.track_id = $1 ORDER BY l.index`,
      [id],
    );
    report.leaves = leaves.length;
    let nextIndex = 0;
    for (const l of leaves) {
      const index = Number(l.index);
      nextIndex = Math.max(nextIndex, index + 1);
      if (l.seq === null) {
        bad(`leaf ${index} has no batch seq`);
        continue;
      }
      add(Number(l.seq), { index, leaf: fieldFromBytes(l.leaf_hash) });
      if (l.revoked_seq !== null) revokes.push([Number(l.revoked_seq), index]);
    }
    // Within a batch, appends come before revokes (a leaf may be appended and revoked in one batch).
    for (const [seq, index] of revokes) add(seq, { index, leaf: 0n });

    const { rows: roots } = await this.pool.query<{
      seq: string;
      root: Buffer;
      leaf_count: string;
      next_index: string | null;
    }>(
      `SELECT seq::text, root, leaf_count::text, next_index::text FROM merkle_roots r WHERE track_id = $1 ORDER BY r.seq`,
      [id],
    );
    // Superseded node versions (served for older roots), by the seq that wrote them: each must
    // equal the recomputed node right after that batch and be replaced at replaced_seq.
    const versions = new Map<number, { level: number; index: number; hash: Buffer; replaced: number }[]>();
    const { rows: versionRows } = await this.pool.query<{
      level: number;
      index: string;
      seq: string;
      replaced_seq: string;
      hash: Buffer;
    }>(
      `SELECT level, index::text, seq::text, replaced_seq::text, hash FROM merkle_node_versions WHERE track_id = $1`,
      [id],
    );
    for (const v of versionRows) {
      const list = versions.get(Number(v.seq)) ?? [];
      list.push({ level: v.level, index: Number(v.index), hash: v.hash, replaced: Number(v.replaced_seq) });
      versions.set(Number(v.seq), list);
    }
    let positions = 0;
    const memory = new MemoryNodeStore();
    const smt = new SparseMerkleTree(memory, { depth: tree.depth, hasher: this.hasher });
    let live = 0;
    let rootIdx = 0;
    for (let seq = 1; seq <= tree.seq; seq++) {
      const changes = perSeq.get(seq) ?? [];
      for (const c of changes) {
        live += c.leaf === 0n ? -1 : 1;
        if (c.leaf !== 0n) positions = Math.max(positions, c.index + 1);
      }
      const { root } = changes.length > 0 ? await smt.applyBatch(changes) : { root: await smt.root() };
      const written = versions.get(seq) ?? [];
      const want = await memory.getNodes(written);
      written.forEach((v, i) => {
        const w = want[i] ?? (smt.zeros[v.level] as bigint);
        if (fieldFromBytes(v.hash) !== w)
          bad(
            `node version (${v.level}, ${v.index}) of seq ${seq} is ${hex(v.hash)}, recomputed ${fieldToHex(w)}`,
          );
        if (v.replaced <= seq || v.replaced > tree.seq)
          bad(`node version (${v.level}, ${v.index}) of seq ${seq} says replaced at seq ${v.replaced}`);
      });
      const stored = roots[rootIdx];
      if (!stored || Number(stored.seq) !== seq) {
        bad(`root history has no entry for seq ${seq}`);
      } else {
        rootIdx++;
        if (fieldFromBytes(stored.root) !== root)
          bad(`root of seq ${seq} is ${hex(stored.root)}, recomputed ${fieldToHex(root)}`);
        if (Number(stored.leaf_count) !== live)
          bad(`leaf count of seq ${seq} is ${stored.leaf_count}, recomputed ${live}`);
        if (stored.next_index !== null && Number(stored.next_index) !== positions)
          bad(`next index of seq ${seq} is ${stored.next_index}, recomputed ${positions}`);
      }
      onProgress({ trackId: tree.trackId, phase: 'replay', done: seq, total: tree.seq });
    }
    for (; rootIdx < roots.length; rootIdx++)
      bad(`root history has an entry for seq ${roots[rootIdx]?.seq} beyond the tree's seq ${tree.seq}`);
    for (const seq of perSeq.keys())
      if (seq > tree.seq || seq < 1) bad(`leaves reference batch seq ${seq} outside 1..${tree.seq}`);

    const root = await smt.root();
    if (tree.root !== root) bad(`tree row root is ${fieldToHex(tree.root)}, recomputed ${fieldToHex(root)}`);
    if (tree.leafCount !== live) bad(`tree row leaf count is ${tree.leafCount}, recomputed ${live}`);
    if (tree.nextIndex !== nextIndex)
      bad(`tree row next index is ${tree.nextIndex}, recomputed ${nextIndex}`);

    // Every stored node equals the recomputed one, and every recomputed node is stored.
    const { rows: countRows } = await this.pool.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM merkle_nodes WHERE track_id = $1`,
      [id],
    );
    const total = Number(countRows[0]?.n ?? 0);
    const PAGE = 50000;
    let afterLevel = -1;
    let afterIndex = -1;
    for (;;) {
      // (ORDER BY must name the bigint column: an output column `index::text AS index` would sort as text)
      const { rows } = await this.pool.query<{ level: number; index: string; hash: Buffer }>(
        `SELECT n.level, n.index::text AS index, n.hash FROM merkle_nodes n
          WHERE n.track_id = $1 AND (n.level, n.index) > ($2, $3)
          ORDER BY n.level, n.index LIMIT $4`,
        [id, afterLevel, afterIndex, PAGE],
      );
      if (rows.length === 0) break;
      const keys = rows.map((r) => ({ level: r.level, index: Number(r.index) }));
      const expected = await memory.getNodes(keys);
      rows.forEach((r, i) => {
        const want = expected[i] ?? (smt.zeros[r.level] as bigint);
        if (fieldFromBytes(r.hash) !== want)
          bad(`node (${r.level}, ${r.index}) is ${hex(r.hash)}, recomputed ${fieldToHex(want)}`);
      });
      report.nodesChecked += rows.length;
      const last = rows[rows.length - 1]!;
      afterLevel = last.level;
      afterIndex = Number(last.index);
      onProgress({ trackId: tree.trackId, phase: 'nodes', done: report.nodesChecked, total });
    }
    if (report.nodesChecked !== memory.size)
      bad(`${report.nodesChecked} nodes stored, ${memory.size} recomputed`);
    report.nodesChecked += versionRows.length;
    return report;
  }
}

const hex = (b: Buffer): string => '0x' + b.toString('hex');
