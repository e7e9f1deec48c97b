import { z } from 'zod';
import {
  base58Pubkey,
  base58Signature,
  hex32,
  jsonCodec,
  slotNumber,
  u64,
  wire,
  type FastJsonPaths,
} from '../codec';

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

const q = JSON.stringify;

/** Own enumerable keys of `o` with a defined value are all in `allowed` (canonicalJson drops undefined ones). */
function onlyKeys(o: object, allowed: ReadonlySet<string>): boolean {
  for (const k in o) {
    if (!Object.prototype.hasOwnProperty.call(o, k)) continue;
    if (!allowed.has(k) && (o as Record<string, unknown>)[k] !== undefined) return false;
  }
  return true;
}

const HOLDING_KEYS: ReadonlySet<string> = new Set(Object.keys(holdingChangedSchema.shape));
const SLOT_STATUS_KEYS: ReadonlySet<string> = new Set(Object.keys(slotStatusSchema.shape));
const SLOT_STATUSES: ReadonlySet<unknown> = new Set(slotStatusSchema.shape.status.options);

/**
 * Hand-written paths for the two record types that make up nearly all of the topic's traffic
 * (holding_changed, slot_status): the same canonical JSON, written and read without the generic
 * canonicalJson walk and the zod parse (a third of the ingest's and projector's CPU per record
 * before). Anything unusual (another type, an extra field, a value of the wrong kind, a value the
 * schema rejects) takes the generic path, which names the error.
 */
const chainUpdateFastPaths: FastJsonPaths<ChainUpdate> = {
  encode(u) {
    // Keys in canonical (sorted) order, `v` included.
    if (u.type === 'holding_changed') {
      if (
        typeof u.slot !== 'number' ||
        typeof u.amount !== 'bigint' ||
        typeof u.writeVersion !== 'bigint' ||
        typeof u.id !== 'string' ||
        typeof u.mint !== 'string' ||
        typeof u.tokenAccount !== 'string' ||
        typeof u.wallet !== 'string' ||
        (u.signature !== undefined && typeof u.signature !== 'string') ||
        !onlyKeys(u, HOLDING_KEYS)
      )
        return undefined;
      return (
        `{"amount":"${u.amount}","id":${q(u.id)},"mint":${q(u.mint)}` +
        (u.signature !== undefined ? `,"signature":${q(u.signature)}` : '') +
        `,"slot":${q(u.slot)},"tokenAccount":${q(u.tokenAccount)},"type":"holding_changed","v":${CHAIN_UPDATES_VERSION},"wallet":${q(u.wallet)},"writeVersion":"${u.writeVersion}"}`
      );
    }
    if (u.type === 'slot_status') {
      if (
        typeof u.slot !== 'number' ||
        typeof u.id !== 'string' ||
        typeof u.status !== 'string' ||
        (u.parent !== undefined && typeof u.parent !== 'number') ||
        !onlyKeys(u, SLOT_STATUS_KEYS)
      )
        return undefined;
      return (
        `{"id":${q(u.id)}` +
        (u.parent !== undefined ? `,"parent":${q(u.parent)}` : '') +
        `,"slot":${q(u.slot)},"status":${q(u.status)},"type":"slot_status","v":${CHAIN_UPDATES_VERSION}}`
      );
    }
    return undefined;
  },
  decode(o) {
    if (o.type === 'holding_changed') {
      const { id, slot, tokenAccount, wallet, mint, signature } = o;
      if (!wire.text(id, 1, 200) || !wire.slot(slot)) return undefined;
      if (!wire.pubkey(tokenAccount) || !wire.pubkey(wallet) || !wire.pubkey(mint)) return undefined;
      if (signature !== undefined && !wire.signature(signature)) return undefined;
      const amount = wire.u64(o.amount);
      const writeVersion = wire.u64(o.writeVersion);
      if (amount === undefined || writeVersion === undefined) return undefined;
      return signature === undefined
        ? { type: 'holding_changed', id, slot, tokenAccount, wallet, mint, amount, writeVersion }
        : { type: 'holding_changed', id, slot, tokenAccount, wallet, mint, amount, writeVersion, signature };
    }
    if (o.type === 'slot_status') {
      const { id, slot, status, parent } = o;
      if (!wire.text(id, 1, 200) || !wire.slot(slot) || !SLOT_STATUSES.has(status)) return undefined;
      if (parent !== undefined && !wire.slot(parent)) return undefined;
      const st = status as SlotStatusUpdate['status'];
      return parent === undefined
        ? { type: 'slot_status', id, slot, status: st }
        : { type: 'slot_status', id, slot, status: st, parent };
    }
    return undefined;
  },
};

export const chainUpdateCodec = jsonCodec<ChainUpdate>(
  CHAIN_UPDATES_VERSION,
  chainUpdateSchema,
  chainUpdateFastPaths,
);

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
