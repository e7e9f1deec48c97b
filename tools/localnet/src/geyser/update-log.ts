import bs58 from 'bs58';
import type { Type } from 'protobufjs';
import type { BlockMeta } from '../chain/local-chain';
import type { AccountWrite, TxRecord } from '../chain/types';
import type { AccountView, Slice, TxView } from './filters';
import { applySlices } from './filters';
import { geyserRoot, type Commitment } from './proto';

/**
 * The ordered log of every update the server has produced, shared by all subscriptions: live
 * delivery and from_slot replay read the same records, so a resumed stream has no gap and no
 * duplicate. Records older than the replay window (in slots) are dropped.
 */
export type LogRecord =
  | { kind: 'account'; slot: number; level: Commitment; view: AccountView; write: AccountWrite }
  | { kind: 'tx'; slot: number; level: Commitment; view: TxView; tx: TxRecord }
  | {
      kind: 'slot';
      slot: number;
      parent: number | undefined;
      status: number;
      deadError?: string;
      body: Buffer;
    }
  | { kind: 'blockMeta'; slot: number; level: Commitment; body: Buffer };

let updateType: Type | undefined;
function SubscribeUpdate(): Type {
  return (updateType ??= geyserRoot().lookupType('geyser.SubscribeUpdate'));
}

function createdAt() {
  const ms = Date.now();
  return { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1_000_000 };
}

const accountBodies = new WeakMap<AccountWrite, Buffer>();
const txBodies = new WeakMap<TxRecord, Buffer>();
const txStatusBodies = new WeakMap<TxRecord, Buffer>();
const txViews = new WeakMap<TxRecord, TxView>();

function encode(obj: Record<string, unknown>): Buffer {
  const bytes = SubscribeUpdate().encode(obj).finish();
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

const SYSTEM_PROGRAM_BYTES = new Uint8Array(32);

export function accountBody(w: AccountWrite, slices: Slice[]): Buffer {
  if (slices.length === 0) {
    const cached = accountBodies.get(w);
    if (cached) return cached;
  }
  const st = w.state;
  const body = encode({
    account: {
      account: {
        pubkey: bs58.decode(w.pubkey),
        lamports: (st?.lamports ?? 0n).toString(),
        owner: st ? bs58.decode(st.owner) : SYSTEM_PROGRAM_BYTES,
        executable: st?.executable ?? false,
        rentEpoch: (st?.rentEpoch ?? 0n).toString(),
        data: applySlices(st?.data ?? new Uint8Array(0), slices),
        writeVersion: w.writeVersion.toString(),
        txnSignature: w.txnSignature,
      },
      slot: String(w.slot),
      isStartup: false,
    },
    createdAt: createdAt(),
  });
  if (slices.length === 0) accountBodies.set(w, body);
  return body;
}

function txInfo(tx: TxRecord) {
  const m = tx.message;
  const tokenBalance = (b: TxRecord['preTokenBalances'][number]) => {
    const ui = Number(b.amount) / 10 ** b.decimals;
    return {
      accountIndex: b.accountIndex,
      mint: b.mint,
      owner: b.owner,
      programId: b.programId,
      uiTokenAmount: {
        uiAmount: ui,
        decimals: b.decimals,
        amount: b.amount.toString(),
        uiAmountString: String(ui),
      },
    };
  };
  return {
    signature: tx.signatures[0],
    isVote: false,
    transaction: {
      signatures: tx.signatures,
      message: {
        header: m.header,
        accountKeys: m.accountKeyBytes,
        recentBlockhash: bs58.decode(m.recentBlockhash),
        instructions: m.instructions.map((ix) => ({
          programIdIndex: ix.programIdIndex,
          accounts: Uint8Array.from(ix.accounts),
          data: ix.data,
        })),
        versioned: m.versioned,
        addressTableLookups: [],
      },
    },
    meta: {
      err: tx.err ? { err: tx.err.bincode } : undefined,
      fee: tx.fee.toString(),
      preBalances: tx.preBalances.map(String),
      postBalances: tx.postBalances.map(String),
      innerInstructions: [],
      innerInstructionsNone: false,
      logMessages: tx.logs,
      logMessagesNone: false,
      preTokenBalances: tx.preTokenBalances.map(tokenBalance),
      postTokenBalances: tx.postTokenBalances.map(tokenBalance),
      rewards: [],
      loadedWritableAddresses: [],
      loadedReadonlyAddresses: [],
      returnDataNone: true,
      computeUnitsConsumed: tx.computeUnits.toString(),
    },
    index: String(tx.index),
  };
}

export function txBody(tx: TxRecord): Buffer {
  let b = txBodies.get(tx);
  if (!b) {
    b = encode({ transaction: { transaction: txInfo(tx), slot: String(tx.slot) }, createdAt: createdAt() });
    txBodies.set(tx, b);
  }
  return b;
}

export function txStatusBody(tx: TxRecord): Buffer {
  let b = txStatusBodies.get(tx);
  if (!b) {
    b = encode({
      transactionStatus: {
        slot: String(tx.slot),
        signature: tx.signatures[0],
        isVote: false,
        index: String(tx.index),
        err: tx.err ? { err: tx.err.bincode } : undefined,
      },
      createdAt: createdAt(),
    });
    txStatusBodies.set(tx, b);
  }
  return b;
}

export function slotBody(
  slot: number,
  parent: number | undefined,
  status: number,
  deadError?: string,
): Buffer {
  return encode({
    slot: {
      slot: String(slot),
      parent: parent === undefined ? undefined : String(parent),
      status,
      deadError,
    },
    createdAt: createdAt(),
  });
}

export function blockMetaBody(m: BlockMeta): Buffer {
  return encode({
    blockMeta: {
      slot: String(m.slot),
      blockhash: m.blockhash,
      rewards: { rewards: [] },
      blockTime: { timestamp: String(m.blockTime) },
      blockHeight: { blockHeight: String(m.blockHeight) },
      parentSlot: String(m.parentSlot),
      parentBlockhash: m.parentBlockhash,
      executedTransactionCount: String(m.executedTransactionCount),
      entriesCount: '0',
    },
    createdAt: createdAt(),
  });
}

export const pingBody = (): Buffer => encode({ ping: {}, createdAt: createdAt() });
export const pongBody = (id: number): Buffer => encode({ pong: { id }, createdAt: createdAt() });

/** Field 1 (`filters`) of SubscribeUpdate, prepended to a shared body. */
export function withFilters(names: string[], body: Buffer): Buffer {
  if (names.length === 0) return body;
  const parts: Buffer[] = [];
  for (const n of names) {
    const s = Buffer.from(n, 'utf8');
    const len: number[] = [];
    let v = s.length;
    while (v > 0x7f) {
      len.push((v & 0x7f) | 0x80);
      v >>>= 7;
    }
    len.push(v);
    parts.push(Buffer.from([0x0a, ...len]), s);
  }
  parts.push(body);
  return Buffer.concat(parts);
}

export function accountView(w: AccountWrite): AccountView {
  return {
    pubkey: w.pubkey,
    owner: w.state?.owner ?? '11111111111111111111111111111111',
    data: w.state?.data ?? new Uint8Array(0),
    lamports: w.state?.lamports ?? 0n,
    hasTxnSignature: w.txnSignature !== undefined,
  };
}

export function txView(tx: TxRecord): TxView {
  let v = txViews.get(tx);
  if (!v) {
    v = {
      signature: tx.signature,
      accountKeys: new Set(tx.message.accountKeys),
      failed: tx.err !== null,
      isVote: false,
    };
    txViews.set(tx, v);
  }
  return v;
}

export class UpdateLog {
  private records: LogRecord[] = [];
  /** Absolute index of records[0]. */
  private base = 0;
  private cutoff = 1;

  constructor(private windowSlots: number) {}

  get start(): number {
    return this.base;
  }

  get end(): number {
    return this.base + this.records.length;
  }

  at(index: number): LogRecord | undefined {
    return this.records[index - this.base];
  }

  /** Oldest slot whose updates can all still be replayed. */
  get firstAvailable(): number {
    return this.cutoff;
  }

  setWindow(slots: number): void {
    this.windowSlots = slots;
  }

  get window(): number {
    return this.windowSlots;
  }

  append(r: LogRecord): void {
    this.records.push(r);
  }

  /** Drops records of slots older than `headSlot - window`. */
  trim(headSlot: number): void {
    const cutoff = Math.max(1, headSlot - this.windowSlots);
    if (cutoff > this.cutoff) this.cutoff = cutoff;
    let n = 0;
    while (n < this.records.length && (this.records[n] as LogRecord).slot < this.cutoff) n++;
    if (n > 0) {
      this.records = this.records.slice(n);
      this.base += n;
    }
  }

  /** First absolute index whose record belongs to a slot >= `slot`. */
  indexOfSlot(slot: number): number {
    for (let i = 0; i < this.records.length; i++)
      if ((this.records[i] as LogRecord).slot >= slot) return this.base + i;
    return this.end;
  }
}
