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

/** One path as served, serialized (cached per (track, seq, index) by the read side). */
export function pathJson(p: MerklePath): string {
  return JSON.stringify(presentPath(p));
}

/**
 * The JSON answer of GET .../paths/:leafIndex (`path`) or POST .../paths (`paths`), built from
 * already serialized paths: the same bytes as JSON.stringify({ ...presentSnapshot(t), path(s) }),
 * written into `alloc(size)` (exactly that many bytes).
 */
export function snapshotWithPathsJson(
  t: TreeState,
  key: 'path' | 'paths',
  paths: readonly Buffer[],
  alloc: (size: number) => Buffer = Buffer.allocUnsafe,
): Buffer {
  const head = Buffer.from(
    `${JSON.stringify(presentSnapshot(t)).slice(0, -1)},"${key}":${key === 'paths' ? '[' : ''}`,
  );
  const tail = key === 'paths' ? ']}' : '}';
  const n = key === 'paths' ? paths.length : Math.min(1, paths.length);
  let size = head.length + tail.length + Math.max(0, n - 1);
  for (let i = 0; i < n; i++) size += (paths[i] as Buffer).length;
  const out = alloc(size);
  out.set(head, 0);
  let at = head.length;
  for (let i = 0; i < n; i++) {
    const p = paths[i] as Buffer;
    if (i > 0) out[at++] = 0x2c; // ','
    out.set(p, at);
    at += p.length;
  }
  out.write(tail, at, 'latin1');
  return out;
}

/** One path's JSON bytes (ASCII). */
export const pathBytes = (p: MerklePath): Buffer => Buffer.from(pathJson(p), 'latin1');

export function presentRoot(r: RootRecord) {
  return { seq: r.seq, root: fieldToHex(r.root), leafCount: r.leafCount, slot: r.slot, accepted: r.accepted };
}
