import { getHasher, type Poseidon2Hasher } from '@rv/crypto';
import { PathVerifier, SparseMerkleTree, type MerklePath, type NodeStore } from '@rv/merkle';
import { PgTreeStore } from './pg-tree.store';
import {
  BehindSlotError,
  LeafNotFoundError,
  OutOfRangeError,
  PathIntegrityError,
  TreeNotFoundError,
  type RootRecord,
  type TreeState,
} from './tree-records';

export interface PathsAnswer {
  tree: TreeState;
  paths: MerklePath[];
}

/**
 * Read side of the registry: every answer comes with the tree row (root, seq, slot) read in the
 * same statement as its data, and every path is verified against that root before it is served.
 */
export class ReadTree {
  private readonly depths = new Map<bigint, number>();
  private readonly verifiers = new Map<bigint, PathVerifier>();

  constructor(
    readonly store: PgTreeStore,
    private readonly hasher: Poseidon2Hasher = getHasher(),
  ) {}

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

  async leaves(trackId: bigint, cursor: number, limit: number, minSlot?: number) {
    const r = await this.store.leavesPage(trackId, cursor, limit);
    if (!r) throw new TreeNotFoundError(trackId);
    checkSlot(r.tree, minSlot);
    const last = r.leaves[r.leaves.length - 1];
    const nextCursor = r.leaves.length === limit && last ? last.index + 1 : null;
    return { ...r, nextCursor };
  }

  async paths(trackId: bigint, indices: readonly number[], minSlot?: number): Promise<PathsAnswer> {
    const depth = await this.depthOf(trackId);
    const capacity = 2 ** depth;
    for (const i of indices) {
      if (!Number.isInteger(i) || i < 0 || i >= capacity) {
        throw new OutOfRangeError(
          `leaf index ${i} is out of range for a tree of depth ${depth} (0..${capacity - 1})`,
        );
      }
    }
    const reader = this.store.snapshotReader(trackId);
    const unused: NodeStore = {
      getNodes: (k) => reader.getNodes(k),
      putNodes: () => Promise.reject(new Error('read only')),
    };
    const smt = new SparseMerkleTree(unused, { depth, hasher: this.hasher });
    const paths = await smt.paths(indices);
    const tree = reader.tree;
    if (!reader.found || !tree) throw new TreeNotFoundError(trackId);
    checkSlot(tree, minSlot);
    for (const p of paths) {
      if (p.index >= tree.nextIndex)
        throw new LeafNotFoundError(
          `track ${trackId} has no leaf at index ${p.index} (${tree.nextIndex} positions in use)`,
        );
    }
    if (paths.some((p) => p.root !== tree.root)) {
      throw new PathIntegrityError(`track ${trackId}: root node and tree row disagree at seq ${tree.seq}`);
    }
    const verifier = this.verifierOf(trackId);
    for (const p of paths) {
      if (!verifier.verify(p))
        throw new PathIntegrityError(
          `track ${trackId}: stored path of leaf ${p.index} does not hash to root at seq ${tree.seq}`,
        );
    }
    return { tree, paths };
  }

  /** Path of the live leaf with this value. */
  async pathByLeaf(trackId: bigint, leaf: bigint, minSlot?: number): Promise<PathsAnswer> {
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
    throw new LeafNotFoundError(`track ${trackId} has no live leaf 0x${leaf.toString(16).padStart(64, '0')}`);
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
  private verifierOf(trackId: bigint): PathVerifier {
    let v = this.verifiers.get(trackId);
    if (v) {
      this.verifiers.delete(trackId);
    } else {
      v = new PathVerifier(this.hasher, 1 << 19);
      while (this.verifiers.size >= MAX_CACHED_TREES)
        this.verifiers.delete(this.verifiers.keys().next().value as bigint);
    }
    this.verifiers.set(trackId, v);
    return v;
  }
}

/** Bounds verifier memory: each caches at most 2^19 proven nodes for each of its last 2 roots. */
const MAX_CACHED_TREES = 8;

function checkSlot(tree: TreeState, minSlot: number | undefined): void {
  if (minSlot !== undefined && tree.slot < minSlot) throw new BehindSlotError(tree.slot, minSlot);
}
