import {
  decodeEventsFromLogs,
  decodeTokenAccount,
  TOKEN_ACCOUNT_MINT_OFFSET,
  TOKEN_ACCOUNT_OWNER_OFFSET,
  type RvEvent,
} from '@rv/chain';
import type { ChainUpdate, HoldingChangedUpdate, ProgramEventUpdate, SlotStatusUpdate } from '@rv/events';

const hex32 = (b: Uint8Array): string => `0x${Buffer.from(b).toString('hex')}`;

/** A `Program data:` line of our program that did not decode: it goes to the dead-letter topic. */
export interface UndecodableEvent {
  slot: number;
  signature: string;
  logIndex: number;
  code: string;
  message: string;
  line: string;
}

/** Program events of one successful transaction, as chain-update records (ids `<signature>:<n>`). */
export function normalizeTransaction(
  slot: number,
  signature: string,
  logs: readonly string[],
): { updates: ProgramEventUpdate[]; errors: UndecodableEvent[] } {
  const { events, errors } = decodeEventsFromLogs(logs);
  const updates = events.map((e, i) => eventUpdate(e.event, slot, signature, `${signature}:${i}`));
  return {
    updates,
    errors: errors.map((e) => ({
      slot,
      signature,
      logIndex: e.logIndex,
      code: e.code,
      message: e.message,
      line: logs[e.logIndex] ?? '',
    })),
  };
}

function eventUpdate(ev: RvEvent, slot: number, signature: string, id: string): ProgramEventUpdate {
  const base = { id, slot, signature };
  switch (ev.name) {
    case 'TrackRegistered':
      return {
        type: 'track_registered',
        ...base,
        trackId: ev.data.trackId,
        mint: ev.data.mint.toBase58(),
        depth: ev.data.depth,
      };
    case 'IdentityRegistered':
      return {
        type: 'identity_registered',
        ...base,
        wallet: ev.data.wallet.toBase58(),
        commitment: hex32(ev.data.commitment),
      };
    case 'MerkleRootUpdated':
      return {
        type: 'root_updated',
        ...base,
        trackId: ev.data.trackId,
        root: hex32(ev.data.root),
        leafCount: ev.data.leafCount,
        seq: ev.data.seq,
      };
    case 'OwnershipVerified':
      return {
        type: 'ownership_verified',
        ...base,
        trackId: ev.data.trackId,
        scope: hex32(ev.data.scope),
        nullifier: hex32(ev.data.nullifier),
        root: hex32(ev.data.root),
      };
  }
}

export interface AccountWrite {
  slot: number;
  pubkey: Uint8Array;
  data: Uint8Array;
  lamports: bigint;
  writeVersion: bigint;
  txnSignature?: Uint8Array;
}

/**
 * Base58 of 32-byte keys (token accounts, wallets, mints): the same few keys recur in every slot,
 * and base58 is the most expensive step of normalizing an account write. Bounded: cleared when full.
 */
const keyCache = new Map<string, string>();
function base58Key(b: Uint8Array): string {
  const k = Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');
  let v = keyCache.get(k);
  if (v === undefined) {
    if (keyCache.size >= 200_000) keyCache.clear();
    v = base58(b);
    keyCache.set(k, v);
  }
  return v;
}

const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const BASE58_POW9 = 58n ** 9n; // below 2^53: nine digits at a time in plain numbers

/**
 * Base58 (the bs58 alphabet and output; the one encoder of this module, for keys the cache misses
 * and for signatures): through one BigInt and nine digits per division, ~2.5x faster than bs58's
 * digit-by-digit loop on 64 bytes.
 */
export function base58(b: Uint8Array): string {
  let zeros = 0;
  while (zeros < b.length && b[zeros] === 0) zeros++;
  let out = '';
  if (zeros < b.length) {
    let n = BigInt(`0x${Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex')}`);
    while (n > 0n) {
      let r = Number(n % BASE58_POW9);
      n /= BASE58_POW9;
      for (let i = 0; i < 9 && (n > 0n || r > 0); i++) {
        out = BASE58[r % 58]! + out;
        r = Math.floor(r / 58);
      }
    }
  }
  return '1'.repeat(zeros) + out;
}

/** The last transaction signature encoded: the accounts one transaction writes arrive together. */
let lastSig: { raw: Buffer; b58: string } | undefined;
function base58Signature(b: Uint8Array): string {
  const raw = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  if (lastSig && lastSig.raw.equals(raw)) return lastSig.b58;
  lastSig = { raw: Buffer.from(raw), b58: base58(raw) };
  return lastSig.b58;
}

/**
 * A token account write as a holding record, if it belongs to a registered mint. A closed or
 * emptied account (no data, or zero lamports) whose owner and mint are known from earlier becomes
 * amount 0; one never seen is ignored.
 */
export function normalizeAccount(
  w: AccountWrite,
  isRegisteredMint: (mintBase58: string) => boolean,
  known: (pubkeyBase58: string) => { wallet: string; mint: string } | undefined,
): HoldingChangedUpdate | undefined {
  const tokenAccount = base58Key(w.pubkey);
  const decoded = w.lamports > 0n && w.data.length > 0 ? decodeTokenAccount(w.data) : undefined;
  let wallet: string;
  let mint: string;
  let amount: bigint;
  if (decoded?.ok) {
    // The decoded keys, base58 through the cache (same bytes as decoded.value.mint / .owner).
    mint = base58Key(w.data.subarray(TOKEN_ACCOUNT_MINT_OFFSET, TOKEN_ACCOUNT_MINT_OFFSET + 32));
    wallet = base58Key(w.data.subarray(TOKEN_ACCOUNT_OWNER_OFFSET, TOKEN_ACCOUNT_OWNER_OFFSET + 32));
    amount = decoded.value.amount;
  } else {
    const k = known(tokenAccount);
    if (!k) return undefined;
    ({ wallet, mint } = k);
    amount = 0n;
  }
  if (!isRegisteredMint(mint)) return undefined;
  return {
    type: 'holding_changed',
    id: `${tokenAccount}:${w.writeVersion}`,
    slot: w.slot,
    tokenAccount,
    wallet,
    mint,
    amount,
    writeVersion: w.writeVersion,
    ...(w.txnSignature && w.txnSignature.length === 64 ? { signature: base58Signature(w.txnSignature) } : {}),
  };
}

export function slotStatusUpdate(
  slot: number,
  status: SlotStatusUpdate['status'],
  parent?: number,
): SlotStatusUpdate {
  return {
    type: 'slot_status',
    id: `slot:${slot}:${status}`,
    slot,
    status,
    ...(parent !== undefined ? { parent } : {}),
  };
}

/** The compensation for a program event whose slot died. */
export function revertOf(u: ProgramEventUpdate, deadSlot: number): ChainUpdate {
  return { type: 'event_reverted', id: `revert:${u.id}`, slot: deadSlot, original: u };
}
