import { fieldToHex } from '@rv/crypto';
import type { MerklePath } from '@rv/merkle';
import type { RootRecord, TreeState } from './tree-records';

/** JSON shapes of the /v1 API. Field elements: 0x + 64 hex digits; u64 track ids: decimal strings. */
export function presentTree(t: TreeState) {
  return {
    trackId: t.trackId.toString(),
    depth: t.depth,
    leafCount: t.leafCount,
    nextIndex: t.nextIndex,
    root: fieldToHex(t.root),
    seq: t.seq,
    slot: t.slot,
  };
}

/** What every answer names: the snapshot it was read from. */
export function presentSnapshot(t: TreeState) {
  return { trackId: t.trackId.toString(), root: fieldToHex(t.root), seq: t.seq, slot: t.slot };
}

/** Values already checked as field elements (read from the store, verified against the root). */
const hex = (x: bigint): string => '0x' + x.toString(16).padStart(64, '0');

export function presentPath(p: MerklePath) {
  return { index: p.index, leaf: hex(p.leaf), siblings: p.siblings.map(hex) };
}

export function presentRoot(r: RootRecord) {
  return { seq: r.seq, root: fieldToHex(r.root), leafCount: r.leafCount, slot: r.slot, accepted: r.accepted };
}
