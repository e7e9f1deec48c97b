/** What the registry stores about one tree (one per track), as served. */
export interface TreeState {
  trackId: bigint;
  depth: number;
  /** Next append position. */
  nextIndex: number;
  /** Live (non-zero) leaves. */
  leafCount: number;
  /** Per-tree sequence: number of batches applied. */
  seq: number;
  root: bigint;
  /** Chain slot the tree reflects. */
  slot: number;
  /** Last leaf-change seq (rv.registry.leaf-changes.v1) applied; 0 if none. */
  changeSeq: bigint;
  /** Oldest seq whose paths and leaves can still be served (node history retention). */
  historyFromSeq: number;
}

/** Which snapshot a read names: a seq of the tree, or a root value (its newest seq). */
export type SnapshotRef = { seq: number } | { root: bigint };

export interface RootRecord {
  seq: number;
  root: bigint;
  leafCount: number;
  slot: number;
  accepted: boolean;
}

export class TreeNotFoundError extends Error {
  constructor(readonly trackId: bigint) {
    super(`unknown tree: track ${trackId}`);
  }
}

export class LeafNotFoundError extends Error {}

/** The registry has not reached the slot the caller demands. */
export class BehindSlotError extends Error {
  constructor(
    readonly currentSlot: number,
    readonly minSlot: number,
  ) {
    super(`registry is at slot ${currentSlot}, behind the requested minSlot ${minSlot}`);
  }
}

/** The tree never had this root / seq (answered 404). */
export class RootNotFoundError extends Error {}

/** The root / seq existed, but its node history was pruned (answered 410). */
export class RootPrunedError extends Error {}

/** A request that is well-formed but out of range for this tree (answered 400). */
export class OutOfRangeError extends Error {}

/** A stored path does not hash to the root read with it: never served. */
export class PathIntegrityError extends Error {}
