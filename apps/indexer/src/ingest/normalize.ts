import bs58 from 'bs58';
import { decodeEventsFromLogs, decodeTokenAccount, type RvEvent } from '@rv/chain';
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
 * A token account write as a holding record, if it belongs to a registered mint. A closed or
 * emptied account (no data, or zero lamports) whose owner and mint are known from earlier becomes
 * amount 0; one never seen is ignored.
 */
export function normalizeAccount(
  w: AccountWrite,
  isRegisteredMint: (mintBase58: string) => boolean,
  known: (pubkeyBase58: string) => { wallet: string; mint: string } | undefined,
): HoldingChangedUpdate | undefined {
  const tokenAccount = bs58.encode(w.pubkey);
  const decoded = w.lamports > 0n && w.data.length > 0 ? decodeTokenAccount(w.data) : undefined;
  let wallet: string;
  let mint: string;
  let amount: bigint;
  if (decoded?.ok) {
    wallet = decoded.value.owner.toBase58();
    mint = decoded.value.mint.toBase58();
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
    ...(w.txnSignature && w.txnSignature.length === 64 ? { signature: bs58.encode(w.txnSignature) } : {}),
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
