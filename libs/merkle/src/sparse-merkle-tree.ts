import { assertField, getHasher, type Poseidon2Hasher } from '@rv/crypto';
import { NodeKeyList, type MerkleNode, type NodeKey, type NodeReader, type NodeStore } from './node-store';
import { assertDepth, DEFAULT_DEPTH, zeroHashes } from './zeros';

export interface LeafChange {
  readonly index: number;
  /** New leaf value; 0 revokes the leaf. */
  readonly leaf: bigint;
}

export interface MerklePath {
  readonly index: number;
  readonly leaf: bigint;
  /** siblings[i] is the sibling at level i (level 0 = the leaf's neighbour). */
  readonly siblings: readonly bigint[];
  readonly root: bigint;
}

export interface BatchResult {
  readonly root: bigint;
  /** Every node the batch wrote (leaves included), each once. */
  readonly nodes: readonly MerkleNode[];
  /** Number of hashes computed (one per touched inner node). */
  readonly hashes: number;
}

export interface TreeOptions {
  depth?: number;
  hasher?: Poseidon2Hasher;
}

function siblingIndex(index: number): number {
  return index % 2 === 0 ? index + 1 : index - 1;
}

/**
 * A fixed-depth sparse Merkle tree over a NodeStore: nothing but the nodes a call touches is
 * read, so a path is served without the whole tree in memory. Node = H(left, right); an
 * unwritten node is the empty-subtree root Z[level].
 */
export class SparseMerkleTree {
  readonly depth: number;
  readonly hasher: Poseidon2Hasher;
  readonly zeros: readonly bigint[];
  /** Number of leaf positions, 2^depth. */
  readonly capacity: number;

  constructor(
    readonly store: NodeStore,
    options: TreeOptions = {},
  ) {
    this.depth = options.depth ?? DEFAULT_DEPTH;
    assertDepth(this.depth);
    this.hasher = options.hasher ?? getHasher();
    this.zeros = zeroHashes(this.depth, this.hasher);
    this.capacity = 2 ** this.depth;
  }

  assertIndex(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.capacity) {
      throw new RangeError(`leaf index must be an integer in 0..${this.capacity - 1}, got ${index}`);
    }
  }

  /**
   * Computes the nodes that a batch of leaf changes rewrites, hashing each touched node once
   * (all siblings are read in one store call, one hashPairs call per level). Does not write.
   * If an index appears more than once, its last change wins.
   */
  async computeBatch(changes: readonly LeafChange[], reader: NodeReader = this.store): Promise<BatchResult> {
    let level0 = new Map<number, bigint>();
    for (const c of changes) {
      this.assertIndex(c.index);
      level0.set(c.index, assertField(c.leaf, `leaf ${c.index}`));
    }
    if (level0.size === 0) return { root: await this.root(reader), nodes: [], hashes: 0 };
    level0 = new Map([...level0].sort((a, b) => a[0] - b[0]));

    // Which siblings each level needs is known from the indices alone: fetch them all at once.
    const touched: number[][] = [];
    let current = [...level0.keys()];
    const needed: NodeKey[] = [];
    for (let level = 0; level < this.depth; level++) {
      touched.push(current);
      const set = new Set(current);
      const parents: number[] = [];
      for (const idx of current) {
        const sib = siblingIndex(idx);
        if (!set.has(sib)) needed.push({ level, index: sib });
        const p = Math.floor(idx / 2);
        if (parents[parents.length - 1] !== p) parents.push(p);
      }
      current = parents;
    }
    const fetched = await reader.getNodes(needed);
    const siblings = new Map<string, bigint>();
    needed.forEach((k, i) =>
      siblings.set(`${k.level}:${k.index}`, fetched[i] ?? (this.zeros[k.level] as bigint)),
    );

    const nodes: MerkleNode[] = [];
    for (const [index, value] of level0) nodes.push({ level: 0, index, value });
    let values = level0;
    let hashes = 0;
    for (let level = 0; level < this.depth; level++) {
      const idxs = touched[level] as number[];
      const flat: bigint[] = [];
      const parents: number[] = [];
      for (let i = 0; i < idxs.length; i++) {
        const idx = idxs[i] as number;
        const p = Math.floor(idx / 2);
        if (parents[parents.length - 1] === p) continue;
        parents.push(p);
        const left = 2 * p;
        const right = left + 1;
        flat.push(
          values.get(left) ?? (siblings.get(`${level}:${left}`) as bigint),
          values.get(right) ?? (siblings.get(`${level}:${right}`) as bigint),
        );
      }
      const out = this.hasher.hashPairs(flat);
      hashes += out.length;
      const next = new Map<number, bigint>();
      parents.forEach((p, i) => {
        const v = out[i] as bigint;
        next.set(p, v);
        nodes.push({ level: level + 1, index: p, value: v });
      });
      values = next;
    }
    return { root: values.get(0) as bigint, nodes, hashes };
  }

  /** computeBatch, then writes the nodes to the store. */
  async applyBatch(changes: readonly LeafChange[]): Promise<BatchResult> {
    const result = await this.computeBatch(changes);
    if (result.nodes.length > 0) await this.store.putNodes(result.nodes);
    return result;
  }

  /** Appends leaves at startIndex, startIndex+1, ... (the caller tracks the leaf count). */
  async append(leaves: readonly bigint[], startIndex: number): Promise<BatchResult> {
    if (startIndex + leaves.length > this.capacity) {
      throw new RangeError(
        `tree of depth ${this.depth} is full: cannot append ${leaves.length} leaves at ${startIndex}`,
      );
    }
    return this.applyBatch(leaves.map((leaf, i) => ({ index: startIndex + i, leaf })));
  }

  async update(index: number, leaf: bigint): Promise<BatchResult> {
    return this.applyBatch([{ index, leaf }]);
  }

  /** Sets the leaf to zero. */
  async revoke(index: number): Promise<BatchResult> {
    return this.applyBatch([{ index, leaf: 0n }]);
  }

  async root(reader: NodeReader = this.store): Promise<bigint> {
    const [v] = await reader.getNodes([{ level: this.depth, index: 0 }]);
    return v ?? (this.zeros[this.depth] as bigint);
  }

  async leaf(index: number, reader: NodeReader = this.store): Promise<bigint> {
    this.assertIndex(index);
    const [v] = await reader.getNodes([{ level: 0, index }]);
    return v ?? 0n;
  }

  async path(index: number, reader: NodeReader = this.store): Promise<MerklePath> {
    return (await this.paths([index], reader))[0] as MerklePath;
  }

  /**
   * Paths of several leaves, all read with one store call (so from one snapshot). Nodes shared
   * by several paths (upper levels) are read once.
   */
  async paths(indices: readonly number[], reader: NodeReader = this.store): Promise<MerklePath[]> {
    const list = new NodeKeyList();
    list.slot(this.depth, 0); // the root: values[0]
    const slot = (level: number, index: number): number => list.slot(level, index);
    const plans = indices.map((index) => {
      this.assertIndex(index);
      const leaf = slot(0, index);
      const sibs: number[] = [];
      let idx = index;
      for (let level = 0; level < this.depth; level++) {
        sibs.push(slot(level, siblingIndex(idx)));
        idx = Math.floor(idx / 2);
      }
      return { index, leaf, sibs };
    });
    const values = await reader.getNodes(list.keys);
    const root = values[0] ?? (this.zeros[this.depth] as bigint);
    return plans.map(({ index, leaf, sibs }) => ({
      index,
      leaf: values[leaf] ?? 0n,
      siblings: sibs.map((s, level) => values[s] ?? (this.zeros[level] as bigint)),
      root,
    }));
  }
}

/** The root that `leaf` at `index` and its siblings hash up to. */
export function computeRoot(
  leaf: bigint,
  index: number,
  siblings: readonly bigint[],
  hasher: Poseidon2Hasher = getHasher(),
): bigint {
  let node = leaf;
  let idx = index;
  for (const sib of siblings) {
    node = idx % 2 === 0 ? hasher.hash([node, sib]) : hasher.hash([sib, node]);
    idx = Math.floor(idx / 2);
  }
  return node;
}

/** True when the path's leaf and siblings hash to its root at its index. */
export function verifyPath(path: MerklePath, hasher: Poseidon2Hasher = getHasher()): boolean {
  if (!Number.isInteger(path.index) || path.index < 0 || path.index >= 2 ** path.siblings.length)
    return false;
  return computeRoot(path.leaf, path.index, path.siblings, hasher) === path.root;
}
