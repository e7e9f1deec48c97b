import { z } from 'zod';
import { base58Pubkey, base58Signature, hex32, jsonCodec, slotNumber, u64 } from '../codec';

/** Normalized chain updates, published by the indexer's ingest and consumed by its projector. */
export const CHAIN_UPDATES_TOPIC = 'rv.chain.updates.v1';
export const CHAIN_UPDATES_VERSION = 1;

/** Fields every program-event record carries: where it happened. */
const txFields = {
  /** Idempotency key: `<signature>:<event index in the transaction>`. */
  id: z.string().min(1).max(200),
  slot: slotNumber,
  signature: base58Signature,
};

export const identityRegisteredSchema = z.object({
  type: z.literal('identity_registered'),
  ...txFields,
  wallet: base58Pubkey,
  commitment: hex32,
});

export const trackRegisteredSchema = z.object({
  type: z.literal('track_registered'),
  ...txFields,
  trackId: u64,
  mint: base58Pubkey,
  depth: z.number().int().min(1).max(32),
});

export const rootUpdatedSchema = z.object({
  type: z.literal('root_updated'),
  ...txFields,
  trackId: u64,
  root: hex32,
  leafCount: u64,
  seq: u64,
});

export const ownershipVerifiedSchema = z.object({
  type: z.literal('ownership_verified'),
  ...txFields,
  trackId: u64,
  scope: hex32,
  nullifier: hex32,
  root: hex32,
});

/** An SPL Token account of a registered track mint, as of (slot, writeVersion). */
export const holdingChangedSchema = z.object({
  type: z.literal('holding_changed'),
  /** Idempotency key: `<tokenAccount>:<writeVersion>`. */
  id: z.string().min(1).max(200),
  slot: slotNumber,
  tokenAccount: base58Pubkey,
  wallet: base58Pubkey,
  mint: base58Pubkey,
  amount: u64,
  writeVersion: u64,
  /** The transaction that wrote it, when the source says (absent for restored/backfilled state). */
  signature: base58Signature.optional(),
});

export const slotStatusSchema = z.object({
  type: z.literal('slot_status'),
  /** Idempotency key: `slot:<slot>:<status>`. */
  id: z.string().min(1).max(200),
  slot: slotNumber,
  status: z.enum(['confirmed', 'finalized', 'dead']),
  parent: slotNumber.optional(),
});

const programEventSchema = z.discriminatedUnion('type', [
  identityRegisteredSchema,
  trackRegisteredSchema,
  rootUpdatedSchema,
  ownershipVerifiedSchema,
]);

/**
 * Compensation: a program event that was published at `confirmed` but whose slot then died.
 * Consumers undo what `original` did (account state is restored by later holding_changed records
 * that carry a higher write version).
 */
export const eventRevertedSchema = z.object({
  type: z.literal('event_reverted'),
  /** Idempotency key: `revert:<original id>`. */
  id: z.string().min(1).max(220),
  /** The dead slot. */
  slot: slotNumber,
  original: programEventSchema,
});

export const chainUpdateSchema = z.discriminatedUnion('type', [
  identityRegisteredSchema,
  trackRegisteredSchema,
  rootUpdatedSchema,
  ownershipVerifiedSchema,
  holdingChangedSchema,
  slotStatusSchema,
  eventRevertedSchema,
]);

export type ChainUpdate = z.infer<typeof chainUpdateSchema>;
export type ChainUpdateType = ChainUpdate['type'];
export type ProgramEventUpdate = z.infer<typeof programEventSchema>;
export type IdentityRegisteredUpdate = z.infer<typeof identityRegisteredSchema>;
export type TrackRegisteredUpdate = z.infer<typeof trackRegisteredSchema>;
export type RootUpdatedUpdate = z.infer<typeof rootUpdatedSchema>;
export type OwnershipVerifiedUpdate = z.infer<typeof ownershipVerifiedSchema>;
export type HoldingChangedUpdate = z.infer<typeof holdingChangedSchema>;
export type SlotStatusUpdate = z.infer<typeof slotStatusSchema>;
export type EventRevertedUpdate = z.infer<typeof eventRevertedSchema>;

export const chainUpdateCodec = jsonCodec<ChainUpdate>(CHAIN_UPDATES_VERSION, chainUpdateSchema);

/**
 * The Kafka key. Everything about one wallet (identity, holdings) shares the wallet's key, so it
 * keeps its order in one partition; track-level events share `track:<id>`; slot statuses share
 * `slots`. A compensation uses its original's key so it is ordered after it.
 */
export function chainUpdateKey(u: ChainUpdate): string {
  switch (u.type) {
    case 'identity_registered':
    case 'holding_changed':
      return u.wallet;
    case 'track_registered':
    case 'root_updated':
    case 'ownership_verified':
      return `track:${u.trackId}`;
    case 'slot_status':
      return 'slots';
    case 'event_reverted':
      return chainUpdateKey(u.original);
  }
}
