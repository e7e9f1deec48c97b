import { z } from 'zod';
import { base58Pubkey, hex32, jsonCodec, slotNumber, u64 } from '../codec';

/** Leaf changes derived by the indexer's projector, applied by the registry's tree writer. */
export const LEAF_CHANGES_TOPIC = 'rv.registry.leaf-changes.v1';
export const LEAF_CHANGES_VERSION = 1;

export const leafChangeSchema = z.object({
  trackId: u64,
  /**
   * Per-track change sequence: 1, 2, 3... without gaps, assigned by the projector in the same
   * transaction as the state change that caused it. The tree writer applies a change only if its
   * changeSeq is above the last one it applied, so redelivered records change nothing however
   * Kafka regroups them into batches.
   */
  changeSeq: u64,
  op: z.enum(['append', 'revoke']),
  /** L = H(commitment, tokenField(mint), trackId). */
  leaf: hex32,
  /** Tree depth of the track (creates the tree on its first change). */
  depth: z.number().int().min(1).max(32),
  /** The chain slot of the update that caused the change. */
  slot: slotNumber,
  /** The track's mint. */
  mint: base58Pubkey,
});

export type LeafChange = z.infer<typeof leafChangeSchema>;

export const leafChangeCodec = jsonCodec<LeafChange>(LEAF_CHANGES_VERSION, leafChangeSchema);

/** Keyed by track: one track's changes stay in order in one partition. */
export const leafChangeKey = (c: Pick<LeafChange, 'trackId'>): string => c.trackId.toString();
