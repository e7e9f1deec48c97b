import type { Poseidon2Hasher } from '@rv/crypto';
import { NodeKeyList, zeroHashes, type MerklePath, type PathVerifier } from '@rv/merkle';
import type { PathCache } from './path-cache';
import type { PgTreeStore } from './pg-tree.store';
import { pathJson } from './trees.presenter';
import { PathIntegrityError, type TreeState } from './tree-records';

/**
 * Reads of one (track, seq) in flight at once. 1 and 2 measured alike here (cold-cache single
 * paths, 2 cores, the load generator alongside); 1 gathers the most misses per statement.
 */
const PARALLEL_READS = 1;

interface Waiter {
  indices: readonly number[];
  resolve: (paths: Map<number, Buffer> | undefined) => void;
  reject: (e: unknown) => void;
}

interface Batch {
  head: TreeState;
  indices: Set<number>;
  waiters: Waiter[];
}

/**
 * Reads, verifies and caches paths of a tree at a known head (track, seq, root) that the path
 * cache does not hold. Concurrent requests for the same (track, seq) share statements: while
 * PARALLEL_READS reads are in flight, the indices asked for meanwhile are gathered into the next. A read asks
 * PostgreSQL only for nodes not already proven under that root (the upper levels are soon all
 * known), and its paths are verified together (one hashPairs call per level). The statement
 * returns the tree row with the nodes: if it shows another seq than the head (a writer
 * committed), nothing is served from it and load() answers undefined (the caller then reads its
 * whole answer from one newer snapshot).
 */
export class CurrentPaths {
  private readonly pending = new Map<string, Batch>();
  /** Reads in flight per (track, seq). */
  private readonly running = new Map<string, number>();
  /** Statements run (for tests and metrics). */
  reads = 0;

  constructor(
    private readonly store: PgTreeStore,
    private readonly verifierOf: (trackId: bigint) => PathVerifier,
    private readonly cache: PathCache,
    private readonly hasher: Poseidon2Hasher,
  ) {}

  /** JSON of each path at `head` (verified against head.root), or undefined if head.seq is gone. */
  load(head: TreeState, indices: readonly number[]): Promise<Map<number, Buffer> | undefined> {
    const key = `${head.trackId}/${head.seq}`;
    return new Promise((resolve, reject) => {
      let batch = this.pending.get(key);
      if (!batch) this.pending.set(key, (batch = { head, indices: new Set(), waiters: [] }));
      for (const i of indices) batch.indices.add(i);
      batch.waiters.push({ indices, resolve, reject });
      if ((this.running.get(key) ?? 0) < PARALLEL_READS) void this.drain(key);
    });
  }

  private async drain(key: string): Promise<void> {
    this.running.set(key, (this.running.get(key) ?? 0) + 1);
    try {
      for (let batch = this.pending.get(key); batch; batch = this.pending.get(key)) {
        this.pending.delete(key);
        let results: Map<number, Buffer | Error> | undefined;
        try {
          results = await this.read(batch.head, [...batch.indices]);
        } catch (e) {
          for (const w of batch.waiters) w.reject(e);
          continue;
        }
        for (const w of batch.waiters) {
          if (!results) {
            w.resolve(undefined);
            continue;
          }
          const mine = new Map<number, Buffer>();
          let failed: Error | undefined;
          for (const i of w.indices) {
            const r = results.get(i);
            if (r instanceof Error || r === undefined) failed ??= r ?? new Error(`path ${i} not read`);
            else mine.set(i, r);
          }
          if (failed) w.reject(failed);
          else w.resolve(mine);
        }
      }
    } finally {
      const n = (this.running.get(key) ?? 1) - 1;
      if (n === 0) this.running.delete(key);
      else this.running.set(key, n);
    }
  }

  /** One statement for the nodes of these paths not yet proven under head.root. */
  private async read(head: TreeState, indices: number[]): Promise<Map<number, Buffer | Error> | undefined> {
    const { trackId, depth, root } = head;
    const verifier = this.verifierOf(trackId);
    const zeros = zeroHashes(depth, this.hasher);
    // Every path's 1 + depth values: proven ones now (a later eviction cannot change them),
    // the others by slot in the statement's keys.
    const list = new NodeKeyList();
    list.slot(depth, 0); // the root, checked against the tree row below
    const known: (bigint | undefined)[][] = [];
    const slots: number[][] = [];
    const take = (level: number, index: number, row: (bigint | undefined)[], rowSlots: number[]) => {
      const v = verifier.provenNode(root, level, index);
      row.push(v);
      if (v !== undefined) {
        rowSlots.push(-1);
        return;
      }
      rowSlots.push(list.slot(level, index));
    };
    for (const index of indices) {
      const row: (bigint | undefined)[] = [];
      const rowSlots: number[] = [];
      take(0, index, row, rowSlots);
      let pos = index;
      for (let level = 0; level < depth; level++) {
        take(level, pos % 2 === 0 ? pos + 1 : pos - 1, row, rowSlots);
        pos = Math.floor(pos / 2);
      }
      known.push(row);
      slots.push(rowSlots);
    }
    this.reads++;
    const read = await this.store.readNodes(trackId, list.keys);
    if (!read || read.tree.seq !== head.seq) return undefined;
    const out = new Map<number, Buffer | Error>();
    if ((read.values[0] ?? zeros[depth]) !== read.tree.root || read.tree.root !== root) {
      const e = new PathIntegrityError(
        `track ${trackId}: root node and tree row disagree at seq ${head.seq}`,
      );
      for (const i of indices) out.set(i, e);
      return out;
    }
    const value = (k: number, j: number): bigint | undefined =>
      (known[k] as (bigint | undefined)[])[j] ?? read.values[(slots[k] as number[])[j] as number];
    const paths: MerklePath[] = indices.map((index, k) => ({
      index,
      leaf: value(k, 0) ?? 0n,
      siblings: Array.from({ length: depth }, (_, level) => value(k, level + 1) ?? (zeros[level] as bigint)),
      root,
    }));
    const ok = verifier.verifyMany(paths);
    paths.forEach((p, k) => {
      if (!ok[k]) {
        out.set(
          p.index,
          new PathIntegrityError(
            `track ${trackId}: stored path of leaf ${p.index} does not hash to root at seq ${head.seq}`,
          ),
        );
        return;
      }
      const json = Buffer.from(pathJson(p), 'latin1');
      this.cache.set(trackId, head.seq, p.index, json);
      out.set(p.index, json);
    });
    return out;
  }
}
