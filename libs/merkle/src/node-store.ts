/**
 * Where a tree keeps its nodes. Level 0 holds the leaves, level `depth` the root; a node that
 * was never written is the root of an empty subtree (Z[level]). Implementations: MemoryNodeStore
 * here, PostgreSQL in apps/registry. Reads of one call must come from one consistent snapshot.
 */
export interface NodeKey {
  readonly level: number;
  readonly index: number;
}

/**
 * Distinct node keys in the order first asked for: `slot(level, index)` is the key's position in
 * `keys`, added once however often it is asked (paths of one batch share their upper nodes).
 */
export class NodeKeyList {
  readonly keys: NodeKey[] = [];
  private readonly slots = new Map<number, number>();

  slot(level: number, index: number): number {
    const id = level * 0x1_0000_0000 + index;
    let s = this.slots.get(id);
    if (s === undefined) {
      s = this.keys.length;
      this.keys.push({ level, index });
      this.slots.set(id, s);
    }
    return s;
  }
}

export interface MerkleNode extends NodeKey {
  readonly value: bigint;
}

export interface NodeReader {
  /** Values of the given nodes, in order; undefined for a node never written. */
  getNodes(keys: readonly NodeKey[]): Promise<(bigint | undefined)[]>;
}

export interface NodeStore extends NodeReader {
  /** Writes (inserts or overwrites) nodes. */
  putNodes(nodes: readonly MerkleNode[]): Promise<void>;
}

/** level * 2^32 + index: unique and exact in a double for level <= 32, index < 2^32. */
function nodeId(level: number, index: number): number {
  return level * 0x1_0000_0000 + index;
}

export class MemoryNodeStore implements NodeStore {
  private readonly nodes = new Map<number, bigint>();

  getNodes(keys: readonly NodeKey[]): Promise<(bigint | undefined)[]> {
    return Promise.resolve(keys.map((k) => this.nodes.get(nodeId(k.level, k.index))));
  }

  putNodes(nodes: readonly MerkleNode[]): Promise<void> {
    for (const n of nodes) this.nodes.set(nodeId(n.level, n.index), n.value);
    return Promise.resolve();
  }

  get size(): number {
    return this.nodes.size;
  }
}
