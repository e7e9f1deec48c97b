import { z } from 'zod';
import { hex32, jsonCodec, slotNumber, u64 } from '../codec';

/** Each new root of a track's tree, published by the registry; the root publisher submits it on chain. */
export const ROOTS_TOPIC = 'rv.registry.roots.v1';
export const ROOTS_VERSION = 1;

export const rootRecordSchema = z.object({
  trackId: u64,
  /** The tree's seq (one per applied batch); the on-chain update_root seq. */
  seq: u64,
  root: hex32,
  leafCount: u64,
  /** Chain slot the root reflects. */
  slot: slotNumber,
  /** The last leaf-change seq included in this root. */
  changeSeq: u64,
});

export type RootRecord = z.infer<typeof rootRecordSchema>;

export const rootRecordCodec = jsonCodec<RootRecord>(ROOTS_VERSION, rootRecordSchema);

export const rootRecordKey = (r: Pick<RootRecord, 'trackId'>): string => r.trackId.toString();
