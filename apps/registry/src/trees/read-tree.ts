import { getHasher, type Poseidon2Hasher } from '@rv/crypto';
import { PathVerifier, SparseMerkleTree, type MerklePath, type NodeStore } from '@rv/merkle';
import { CurrentHeads } from './current-heads';
import { DEFAULT_PATH_CACHE_MB, PathCache } from './path-cache';
import { PgTreeStore, type SnapshotRead } from './pg-tree.store';
import { pathBytes } from './trees.presenter';
import { CurrentPaths } from './current-paths';
import {
  BehindSlotError,
  LeafNotFoundError,
  OutOfRangeError,
  PathIntegrityError,
  RootNotFoundError,
  RootPrunedError,
  TreeNotFoundError,
  type RootRecord,
  type SnapshotRef,
  type TreeState,
} from './tree-records';

export interface PathsAnswer {
  tree: TreeState;
  paths: MerklePath[];
}

/** Paths as served: the snapshot and each path's JSON bytes (`{"index","leaf","siblings"}`), in order. */
export interface ServedPaths {
  tree: TreeState;
  paths: Buffer[];
}

/**
 * Read side of the registry: every answer comes with the tree row (root, seq, slot) read in the
 * same statement as its data, and every path is verified against that root before it is served.
 */
export class ReadTree {
  private readonly depths = new Map<bigint, number>();
  private readonly verifiers = new Map<bigint, PathVerifier>();
  /** Separate verifiers for older roots, so history reads never evict the current root's cache. */
  private readonly historyVerifiers = new Map<bigint, PathVerifier>();

  /** Current heads, read fresh per request but with one statement for all concurrent requests. */
  readonly heads: CurrentHeads;
  /** Paths of the current head missing from the cache: shared, verified reads. */
  readonly current: CurrentPaths;
  /** Paths served at the current head, and how many of them came from the cache. */
  readonly served = { paths: 0, fromCache: 0 };
  /** The newest head read per track (servePaths): where a cold request looks for its paths first. */
  private readonly lastHeads = new Map<bigint, TreeState>();
  /** What older snapshots whose paths are cached name (root, seq, slot), per `${track}/${seq}`. */
  private readonly snapshots = new Map<string, TreeState>();

  constructor(
    readonly store: PgTreeStore,
    readonly cache = new PathCache(DEFAULT_PATH_CACHE_MB * 2 ** 20),
    private readonly hasher: Poseidon2Hasher = getHasher(),
  ) {
    this.heads = new CurrentHeads((ids) => store.getTrees(ids));
    this.current = new CurrentPaths(store, (id) => this.verifierOf(id, this.verifiers), cache, hasher);
  }

  /**
   * Paths as served (JSON per path). At the current root: the head (root, seq, slot) is read
   * fresh for this request (a statement shared with concurrent requests, or on a cold cache the
   * read of the missing paths itself, which returns the tree row with them), paths verified and
   * serialized under that seq before are reused, and the others are read in one statement and
   * verified. If a writer committed in between (that statement shows a newer seq), the whole
   * answer is read again from one statement, so all paths and the root always share one seq.
   * At a named seq (`at`, as the gateway asks for the accepted root): from the cache too when
   * every path is there and the fresh head shows that seq still retained (else read and
   * verified as paths() does, which answers 404 / 410, and cached under that seq).
   */
  async servePaths(
    trackId: bigint,
    indices: readonly number[],
    minSlot?: number,
    at?: SnapshotRef,
  ): Promise<ServedPaths> {
    if (at) return this.servePathsAt(trackId, indices, minSlot, at);
    // Cold cache (right after a new root): paths missing under the last head seen are read at
    // once, without a head statement first. That read returns the tree row with the nodes, from
    // a statement started after the request arrived: if it still shows the seq seen, that is the
    // current head. Not when the request needs the head anyway: every path cached, minSlot
    // beyond the slot seen, an index not in use then (its error comes from the fresh head).
    const seen = this.lastHeads.get(trackId);
    if (seen && (minSlot === undefined || seen.slot >= minSlot) && indices.every((i) => i < seen.nextIndex)) {
      const early = await this.atHead(seen, indices, true);
      if (early) return early;
    }
    const head = await this.heads.get(trackId);
    if (!head) throw new TreeNotFoundError(trackId);
    this.lastHeads.set(trackId, head);
    this.depths.set(trackId, head.depth);
    checkRange(indices, head.depth);
    checkSlot(head, minSlot);
    for (const i of indices) {
      if (i >= head.nextIndex)
        throw new LeafNotFoundError(
          `track ${trackId} has no leaf at index ${i} (${head.nextIndex} positions in use)`,
        );
    }
    // undefined: a newer seq committed since the head was read; answer wholly from one newer snapshot.
    return (
      (await this.atHead(head, indices, false)) ??
      this.serialize(await this.paths(trackId, indices, minSlot), true)
    );
  }

  /**
   * Paths at `head` as served: cached ones, and the others read in one shared statement and
   * verified. undefined if that statement shows another seq than head's, or (`onlyIfMissing`)
   * when every path was cached.
   */
  private async atHead(
    head: TreeState,
    indices: readonly number[],
    onlyIfMissing: boolean,
  ): Promise<ServedPaths | undefined> {
    const out = new Array<Buffer>(indices.length);
    let missing: number[] | undefined;
    const cached = this.cache.of(head.trackId, head.seq);
    for (let k = 0; k < indices.length; k++) {
      const json = cached?.get(indices[k] as number);
      if (json === undefined) (missing ??= []).push(indices[k] as number);
      else out[k] = json;
    }
    if (missing) {
      const loaded = await this.current.load(head, [...new Set(missing)]);
      if (!loaded) return undefined;
      for (let k = 0; k < indices.length; k++) out[k] ??= loaded.get(indices[k] as number) as Buffer;
    } else if (onlyIfMissing) {
      return undefined;
    }
    this.served.paths += indices.length;
    this.served.fromCache += indices.length - (missing?.length ?? 0);
    return { tree: head, paths: out };
  }

  private async servePathsAt(
    trackId: bigint,
    indices: readonly number[],
    minSlot: number | undefined,
    at: SnapshotRef,
  ): Promise<ServedPaths> {
    if ('seq' in at) {
      const head = await this.heads.get(trackId);
      const cached = this.cache.of(trackId, at.seq);
      const snapshot = head?.seq === at.seq ? head : this.snapshots.get(`${trackId}/${at.seq}`);
      if (head && snapshot && cached && at.seq >= head.historyFromSeq && at.seq <= head.seq) {
        const out = indices.map((i) => cached.get(i));
        if (out.every((json) => json !== undefined)) {
          // The order of paths(): 400 out of range, then (the seq being known) 409.
          checkRange(indices, head.depth);
          checkSlot(head, minSlot);
          return { tree: snapshot, paths: out };
        }
      }
    }
    const answer = await this.paths(trackId, indices, minSlot, at);
    this.snapshots.set(`${trackId}/${answer.tree.seq}`, answer.tree);
    while (this.snapshots.size > MAX_SNAPSHOTS)
      this.snapshots.delete(this.snapshots.keys().next().value as string);
    return this.serialize(answer, true);
  }

  /** Paths of one snapshot as served; `remember`: keep them in the cache under that seq. */
  private serialize(answer: PathsAnswer, remember: boolean): ServedPaths {
    const { tree } = answer;
    const paths = answer.paths.map((p) => {
      const json = pathBytes(p);
      if (remember) this.cache.set(tree.trackId, tree.seq, p.index, json);
      return json;
    });
    return { tree, paths };
  }

  async listTrees(): Promise<TreeState[]> {
    return this.store.listTrees();
  }

  async tree(trackId: bigint, minSlot?: number): Promise<TreeState> {
    const tree = await this.store.getTree(trackId);
    if (!tree) throw new TreeNotFoundError(trackId);
    checkSlot(tree, minSlot);
    return tree;
  }

  async roots(
    trackId: bigint,
    limit: number,
    minSlot?: number,
  ): Promise<{ tree: TreeState; roots: RootRecord[] }> {
    const r = await this.store.rootHistory(trackId, limit);
    if (!r) throw new TreeNotFoundError(trackId);
    checkSlot(r.tree, minSlot);
    return r;
  }

  /** A page of leaves at the current root, or as of a named older snapshot (`at`). */
  async leaves(trackId: bigint, cursor: number, limit: number, minSlot?: number, at?: SnapshotRef) {
    let r: { tree: TreeState; leaves: { index: number; leaf: bigint }[] } | undefined;
    if (at) {
      const read = await this.store.leavesPageAt(trackId, at, cursor, limit);
      const { head, tree, data } = unwrap(trackId, at, read);
      checkSlot(head, minSlot);
      r = { tree, leaves: data };
    } else {
      r = await this.store.leavesPage(trackId, cursor, limit);
      if (!r) throw new TreeNotFoundError(trackId);
      checkSlot(r.tree, minSlot);
    }
    const last = r.leaves[r.leaves.length - 1];
    const nextCursor = r.leaves.length === limit && last ? last.index + 1 : null;
    return { ...r, nextCursor };
  }

  /**
   * Paths at the current root, or at a named older snapshot (`at`: seq or root). With `at`, the
   * answer names that snapshot's root, seq and slot; minSlot still applies to the registry's
   * current slot (how far it has caught up).
   */
  async paths(
    trackId: bigint,
    indices: readonly number[],
    minSlot?: number,
    at?: SnapshotRef,
  ): Promise<PathsAnswer> {
    const depth = await this.depthOf(trackId);
    checkRange(indices, depth);
    const snap: { tree?: TreeState } = {};
    let reader: NodeStore['getNodes'];
    if (at) {
      reader = async (keys) => {
        const read = await this.store.readNodesAt(trackId, at, keys);
        const r = unwrap(trackId, at, read);
        checkSlot(r.head, minSlot);
        snap.tree = r.tree;
        return r.data;
      };
    } else {
      const current = this.store.snapshotReader(trackId);
      reader = async (keys) => {
        const values = await current.getNodes(keys);
        if (!current.found || !current.tree) throw new TreeNotFoundError(trackId);
        snap.tree = current.tree;
        return values;
      };
    }
    const store: NodeStore = { getNodes: reader, putNodes: () => Promise.reject(new Error('read only')) };
    const smt = new SparseMerkleTree(store, { depth, hasher: this.hasher });
    const paths = await smt.paths(indices);
    const tree = snap.tree;
    if (!tree) throw new TreeNotFoundError(trackId);
    if (!at) checkSlot(tree, minSlot);
    const where = at ? ` at seq ${tree.seq}` : '';
    for (const p of paths) {
      if (p.index >= tree.nextIndex)
        throw new LeafNotFoundError(
          `track ${trackId} has no leaf at index ${p.index}${where} (${tree.nextIndex} positions in use)`,
        );
    }
    if (paths.some((p) => p.root !== tree.root)) {
      throw new PathIntegrityError(`track ${trackId}: root node and tree row disagree at seq ${tree.seq}`);
    }
    const verifier = this.verifierOf(trackId, at ? this.historyVerifiers : this.verifiers);
    for (const p of paths) {
      if (!verifier.verify(p))
        throw new PathIntegrityError(
          `track ${trackId}: stored path of leaf ${p.index} does not hash to root at seq ${tree.seq}`,
        );
    }
    return { tree, paths };
  }

  /** Path of the live leaf with this value (live at the named snapshot, if `at` is given). */
  async pathByLeaf(trackId: bigint, leaf: bigint, minSlot?: number, at?: SnapshotRef): Promise<PathsAnswer> {
    const notFound = () =>
      new LeafNotFoundError(
        `track ${trackId} has no live leaf 0x${leaf.toString(16).padStart(64, '0')}${at ? ' at that root' : ''}`,
      );
    if (at) {
      // A snapshot never changes (until pruned, which the path read reports): one try.
      const index = await this.store.findLeafIndexAt(trackId, leaf, at);
      if (index === undefined) {
        unwrap(trackId, at, await this.store.readNodesAt(trackId, at, [])); // 404 / 410 first
        throw notFound();
      }
      const answer = await this.paths(trackId, [index], minSlot, at);
      if (answer.paths[0]?.leaf !== leaf) throw notFound();
      return answer;
    }
    // Two tries: the leaf may be revoked between finding its index and reading its path.
    for (let attempt = 0; attempt < 2; attempt++) {
      const index = await this.store.findLeafIndex(trackId, leaf);
      if (index === undefined) {
        if (!(await this.store.getTree(trackId))) throw new TreeNotFoundError(trackId);
        break;
      }
      const answer = await this.paths(trackId, [index], minSlot);
      if (answer.paths[0]?.leaf === leaf) return answer;
    }
    throw notFound();
  }

  private async depthOf(trackId: bigint): Promise<number> {
    let depth = this.depths.get(trackId);
    if (depth === undefined) {
      const tree = await this.store.getTree(trackId);
      if (!tree) throw new TreeNotFoundError(trackId);
      depth = tree.depth;
      this.depths.set(trackId, depth);
    }
    return depth;
  }

  /** Verifiers (with their proven-node caches) of the most recently served trees only. */
  private verifierOf(trackId: bigint, verifiers: Map<bigint, PathVerifier>): PathVerifier {
    let v = verifiers.get(trackId);
    if (v) {
      verifiers.delete(trackId);
    } else {
      v = new PathVerifier(this.hasher, 1 << 19);
      while (verifiers.size >= MAX_CACHED_TREES) verifiers.delete(verifiers.keys().next().value as bigint);
    }
    verifiers.set(trackId, v);
    return v;
  }
}

/** Older snapshots remembered for cached history reads (a few hundred bytes each). */
const MAX_SNAPSHOTS = 4096;

/** Bounds verifier memory: each caches at most 2^19 proven nodes for each of its last 2 roots. */
const MAX_CACHED_TREES = 8;

/** The snapshot a read named, or the 404 / 410 it deserves. */
function unwrap<T>(
  trackId: bigint,
  at: SnapshotRef,
  read: SnapshotRead<T>,
): { head: TreeState; tree: TreeState; data: T } {
  const named = 'seq' in at ? `seq ${at.seq}` : `root 0x${at.root.toString(16).padStart(64, '0')}`;
  switch (read.kind) {
    case 'no-tree':
      throw new TreeNotFoundError(trackId);
    case 'unknown-root':
      throw new RootNotFoundError(
        `track ${trackId} never had ${named} (current seq ${read.head.seq}); see /v1/trees/${trackId}/roots`,
      );
    case 'pruned':
      throw new RootPrunedError(
        `track ${trackId}: ${named} (seq ${read.at.seq}) is older than the retained history ` +
          `(seqs ${read.head.historyFromSeq}..${read.head.seq}); ask for a newer root`,
      );
    case 'ok':
      return { head: read.head, tree: read.at, data: read.data };
  }
}

function checkRange(indices: readonly number[], depth: number): void {
  const capacity = 2 ** depth;
  for (const i of indices) {
    if (!Number.isInteger(i) || i < 0 || i >= capacity) {
      throw new OutOfRangeError(
        `leaf index ${i} is out of range for a tree of depth ${depth} (0..${capacity - 1})`,
      );
    }
  }
}

function checkSlot(tree: TreeState, minSlot: number | undefined): void {
  if (minSlot !== undefined && tree.slot < minSlot) throw new BehindSlotError(tree.slot, minSlot);
}
