import { createHash } from 'crypto';
import { Keypair, PublicKey } from '@solana/web3.js';
import bs58 from 'bs58';
import { Bank, TxRejected, parseTransaction, transferTx } from './bank';
import { fieldlessTransactionError } from './tx-error';
import type { AccountState, AccountWrite, ParsedMessage, SlotLifecycle, TxRecord } from './types';
import { SlotStatus, type Commitment, type SlotStatusValue } from '../geyser/proto';

export interface BlockMeta {
  slot: number;
  blockhash: string;
  parentSlot: number;
  parentBlockhash: string;
  blockTime: number;
  blockHeight: number;
  executedTransactionCount: number;
}

export interface ChainListener {
  onBlockMeta?(meta: BlockMeta, level: Commitment): void;
  onAccount?(w: AccountWrite, level: Commitment): void;
  onTransaction?(tx: TxRecord, level: Commitment): void;
  onSlot?(slot: number, parent: number | undefined, status: SlotStatusValue, deadError?: string): void;
}

export interface LocalChainOptions {
  /** Milliseconds per slot for the ticking clock (0 = manual: only advance() produces slots). */
  slotMs: number;
  /** A slot is confirmed when this many later slots have been produced. */
  confirmDepth: number;
  /** A slot is finalized when this many later slots have been produced. */
  finalizeDepth: number;
  verifySignatures: boolean;
  /** Deterministic blockhashes and faucet key. */
  seed: string;
  /** After a slot dies, re-send the restored values of the accounts it wrote (in the next slot). */
  emitRestoredAccounts: boolean;
  /** How many transactions getTransaction / getSignatureStatuses remember. */
  maxRememberedTxs: number;
}

export const DEFAULT_CHAIN_OPTIONS: LocalChainOptions = {
  slotMs: 400,
  confirmDepth: 2,
  finalizeDepth: 32,
  verifySignatures: true,
  seed: 'rv-localnet',
  emitRestoredAccounts: true,
  maxRememberedTxs: 200_000,
};

const BLOCKHASH_VALID_SLOTS = 150;

interface SlotInfo {
  slot: number;
  parent: number | undefined;
  blockhash: string;
  blockTime: number;
  status: SlotLifecycle;
  doomed: boolean;
  txs: TxRecord[];
  writes: AccountWrite[];
  /** Value of every account this slot wrote, as it was before the slot's first write to it. */
  preImages: Map<string, AccountState | null>;
}

export class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
  }
}

interface Queued {
  raw: Uint8Array;
  signatures: Uint8Array[];
  message: ParsedMessage;
}

/**
 * The local chain: a bank (LiteSVM + rainbow_veil emulation), a slot clock with
 * processed → confirmed → finalized statuses, and forks on command (rv_killSlot).
 * Everything runs on the Node event loop; no locking is needed.
 */
export class LocalChain {
  readonly opts: LocalChainOptions;
  readonly bank: Bank;
  readonly faucet: Keypair;
  private readonly listeners = new Set<ChainListener>();
  private readonly slots = new Map<number, SlotInfo>();
  private readonly blockhashes = new Map<string, number>();
  private readonly txs = new Map<string, TxRecord>();
  private readonly byAddress = new Map<string, TxRecord[]>();
  private current!: SlotInfo;
  private confirmedSlot = 0;
  private finalizedSlot = 0;
  private writeVersion = 1n;
  private timer: NodeJS.Timeout | undefined;
  private paused = false;
  private readonly queue: Queued[] = [];
  private readonly queuedSigs = new Set<string>();
  /** Every slot that died (kept after its SlotInfo is pruned: getBlocks must never list it). */
  private readonly deadSlots = new Set<number>();

  constructor(opts: Partial<LocalChainOptions> = {}) {
    this.opts = { ...DEFAULT_CHAIN_OPTIONS, ...opts };
    this.bank = new Bank();
    this.faucet = Keypair.fromSeed(createHash('sha256').update(`${this.opts.seed}/faucet`).digest());
    this.bank.credit(this.faucet.publicKey.toBase58(), 1_000_000_000_000_000_000n);
    this.openSlot(1, 0);
    this.confirmedSlot = 0;
  }

  addListener(l: ChainListener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  start(): void {
    if (this.timer || this.opts.slotMs <= 0) return;
    this.timer = setInterval(() => {
      if (!this.paused) this.tick();
    }, this.opts.slotMs);
    this.timer.unref?.();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Stops slot production and transaction execution (transactions queue) until resume(). */
  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.drainQueue();
  }

  isPaused(): boolean {
    return this.paused;
  }

  /** Produces `n` slots now (works while paused; used by tests and scenarios for determinism). */
  advance(n = 1): number {
    for (let i = 0; i < n; i++) this.tick();
    return this.current.slot;
  }

  // ---- queries ----

  get processedSlot(): number {
    return this.current.slot;
  }

  slotAt(commitment: Commitment): number {
    if (commitment === 0) return this.current.slot;
    return commitment === 1 ? this.confirmedSlot : this.finalizedSlot;
  }

  /** Slot whose status is at least `commitment` (latest); its blockhash is what getLatestBlockhash returns. */
  latestBlockhash(commitment: Commitment): { slot: number; blockhash: string; lastValidBlockHeight: number } {
    let slot = this.slotAt(commitment);
    let info = this.slots.get(slot);
    while (!info || info.status === 'dead' || info.doomed) {
      slot = slot - 1;
      info = this.slots.get(slot);
      if (slot <= 0) {
        info = this.current;
        break;
      }
    }
    return {
      slot: info.slot,
      blockhash: info.blockhash,
      lastValidBlockHeight: info.slot + BLOCKHASH_VALID_SLOTS,
    };
  }

  blockHeight(commitment: Commitment): number {
    return this.slotAt(commitment);
  }

  isBlockhashValid(blockhash: string): boolean {
    const slot = this.blockhashes.get(blockhash);
    if (slot === undefined) return false;
    const info = this.slots.get(slot);
    if (info && (info.status === 'dead' || info.doomed)) return false;
    return this.current.slot - slot <= BLOCKHASH_VALID_SLOTS;
  }

  getAccount(pubkey: string): AccountState | null {
    return this.bank.get(pubkey);
  }

  getTransaction(signature: string): TxRecord | undefined {
    return this.txs.get(signature);
  }

  slotStatus(slot: number): SlotLifecycle | undefined {
    if (slot <= this.finalizedSlot && !this.slots.has(slot)) return 'finalized';
    return this.slots.get(slot)?.status;
  }

  /**
   * The slots in [start, end] that hold a block on the chain at `commitment` (confirmed or
   * finalized), ascending, as JSON-RPC getBlocks answers: `end` is capped at the newest slot of
   * that commitment, dead slots are never listed (this chain skips no other slot). Slot 1 is the
   * first block.
   */
  blocks(start: number, end: number, commitment: 1 | 2): number[] {
    const out: number[] = [];
    const last = Math.min(end, this.slotAt(commitment));
    for (let s = Math.max(start, 1); s <= last; s++) {
      if (this.deadSlots.has(s)) continue;
      const info = this.slots.get(s);
      if (info && (info.doomed || (commitment === 2 && info.status !== 'finalized'))) continue;
      out.push(s);
    }
    return out;
  }

  /** Transactions touching `address`, newest first. */
  signaturesForAddress(address: string, limit: number, before?: string, until?: string): TxRecord[] {
    const list = this.byAddress.get(address) ?? [];
    const out: TxRecord[] = [];
    let started = before === undefined;
    for (let i = list.length - 1; i >= 0 && out.length < limit; i--) {
      const tx = list[i] as TxRecord;
      if (!started) {
        if (tx.signature === before) started = true;
        continue;
      }
      if (tx.signature === until) break;
      if (this.txs.get(tx.signature) !== tx) continue; // rolled back
      out.push(tx);
    }
    return out;
  }

  // ---- transactions ----

  /**
   * Accepts a wire transaction. With preflight (the JSON-RPC default) a transaction that would fail
   * is rejected with the simulation error and does not land; with skipPreflight it lands and fails.
   */
  submit(raw: Uint8Array, skipPreflight = false): string {
    let parsed: ReturnType<typeof parseTransaction>;
    try {
      parsed = parseTransaction(raw, this.opts.verifySignatures);
    } catch (e) {
      if (e instanceof TxRejected) throw new RpcError(-32003, e.message);
      throw e;
    }
    const signature = bs58.encode(parsed.signatures[0] as Uint8Array);
    if (this.txs.has(signature) || this.queuedSigs.has(signature)) {
      if (skipPreflight) return signature;
      throw this.preflightError('AlreadyProcessed', fieldlessTransactionError(6).json, []);
    }
    if (!this.isBlockhashValid(parsed.message.recentBlockhash)) {
      if (skipPreflight) return signature; // a validator drops it silently
      throw this.preflightError('Blockhash not found', 'BlockhashNotFound', []);
    }
    if (this.paused || this.holding()) {
      this.queue.push({ raw, ...parsed });
      this.queuedSigs.add(signature);
      return signature;
    }
    this.executeNow({ raw, ...parsed }, !skipPreflight);
    return signature;
  }

  /** Sends `lamports` from the faucet as a real system transfer; returns its signature. */
  airdrop(to: PublicKey, lamports: bigint): string {
    return this.submit(transferTx(this.faucet, to, lamports, this.latestBlockhash(0).blockhash), false);
  }

  private preflightError(message: string, err: unknown, logs: string[]): RpcError {
    return new RpcError(-32002, `Transaction simulation failed: ${message}`, {
      err,
      logs,
      accounts: null,
      unitsConsumed: 0,
      returnData: null,
    });
  }

  private holding(): boolean {
    for (const s of this.slots.values()) if (s.doomed && s.status !== 'dead') return true;
    return false;
  }

  private executeNow(q: Queued, preflight: boolean): void {
    const slot = this.current;
    const out = (() => {
      try {
        return this.bank.execute(q.signatures, q.message, slot.slot);
      } catch (e) {
        if (e instanceof TxRejected) {
          throw this.preflightError(e.message, e.txError?.json ?? e.message, []);
        }
        throw e;
      }
    })();
    const signature = bs58.encode(q.signatures[0] as Uint8Array);
    if (out.err && preflight) {
      for (const w of out.written) this.bank.set(w.pubkey, w.before);
      const first = out.err.json as { InstructionError?: [number, unknown] };
      const detail = first.InstructionError
        ? `Error processing Instruction ${first.InstructionError[0]}: ${JSON.stringify(first.InstructionError[1])}`
        : JSON.stringify(out.err.json);
      throw this.preflightError(detail, out.err.json, out.logs);
    }
    const tx: TxRecord = {
      signature,
      signatures: q.signatures,
      raw: q.raw,
      message: q.message,
      slot: slot.slot,
      index: slot.txs.length,
      blockTime: slot.blockTime,
      err: out.err,
      fee: out.fee,
      preBalances: out.preBalances,
      postBalances: out.postBalances,
      preTokenBalances: out.preTokenBalances,
      postTokenBalances: out.postTokenBalances,
      logs: out.logs,
      computeUnits: out.computeUnits,
    };
    slot.txs.push(tx);
    this.remember(tx);
    const writes: AccountWrite[] = out.written.map((w) => {
      if (!slot.preImages.has(w.pubkey)) slot.preImages.set(w.pubkey, w.before);
      return {
        pubkey: w.pubkey,
        state: w.after,
        slot: slot.slot,
        writeVersion: this.writeVersion++,
        txnSignature: q.signatures[0],
      };
    });
    slot.writes.push(...writes);
    for (const w of writes) this.emitAccount(w, 0);
    this.emitTx(tx, 0);
  }

  private remember(tx: TxRecord): void {
    this.txs.set(tx.signature, tx);
    if (this.txs.size > this.opts.maxRememberedTxs) {
      const oldest = this.txs.keys().next().value as string;
      this.txs.delete(oldest);
    }
    const seen = new Set<string>();
    for (const k of tx.message.accountKeys) {
      if (seen.has(k)) continue;
      seen.add(k);
      let list = this.byAddress.get(k);
      if (!list) this.byAddress.set(k, (list = []));
      list.push(tx);
      if (list.length > 2000) list.splice(0, list.length - 1000);
    }
  }

  private drainQueue(): void {
    while (this.queue.length > 0 && !this.paused && !this.holding()) {
      const q = this.queue.shift() as Queued;
      this.queuedSigs.delete(bs58.encode(q.signatures[0] as Uint8Array));
      if (!this.isBlockhashValid(q.message.recentBlockhash)) continue;
      try {
        this.executeNow(q, false);
      } catch {
        // rejected before execution (e.g. fee payer without lamports): dropped, as a validator would
      }
    }
  }

  // ---- slots ----

  private blockhashFor(slot: number): string {
    return bs58.encode(createHash('sha256').update(`${this.opts.seed}/blockhash/${slot}`).digest());
  }

  private openSlot(slot: number, parent: number | undefined): void {
    const info: SlotInfo = {
      slot,
      parent,
      blockhash: this.blockhashFor(slot),
      blockTime: Math.floor(Date.now() / 1000),
      status: 'open',
      doomed: false,
      txs: [],
      writes: [],
      preImages: new Map(),
    };
    this.slots.set(slot, info);
    this.blockhashes.set(info.blockhash, slot);
    this.bank.svm.warpToSlot(BigInt(slot)); // the Clock sysvar programs see
    this.current = info;
    this.emitSlot(slot, parent, SlotStatus.SLOT_CREATED_BANK);
  }

  private tick(): void {
    const s = this.current;
    s.status = 'processed';
    this.emitSlot(s.slot, s.parent, SlotStatus.SLOT_COMPLETED);
    this.emitBlockMeta(s, 0);
    this.emitSlot(s.slot, s.parent, SlotStatus.SLOT_PROCESSED);

    for (const info of this.slotsInOrder()) {
      if (info.status === 'processed' && s.slot - info.slot >= this.opts.confirmDepth) this.confirm(info);
    }
    for (const info of this.slotsInOrder()) {
      if (info.status === 'confirmed' && s.slot - info.slot >= this.opts.finalizeDepth) this.finalize(info);
    }
    const parent = s.doomed ? s.parent : s.slot;
    this.openSlot(s.slot + 1, parent);
    this.prune();
    this.drainQueue();
  }

  private slotsInOrder(): SlotInfo[] {
    return [...this.slots.values()].sort((a, b) => a.slot - b.slot);
  }

  private confirm(info: SlotInfo): void {
    info.status = 'confirmed';
    for (const w of info.writes) this.emitAccount(w, 1);
    for (const tx of info.txs) this.emitTx(tx, 1);
    this.emitBlockMeta(info, 1);
    if (!info.doomed) this.confirmedSlot = Math.max(this.confirmedSlot, info.slot);
    this.emitSlot(info.slot, info.parent, SlotStatus.SLOT_CONFIRMED);
    if (info.doomed) this.die(info);
  }

  private finalize(info: SlotInfo): void {
    info.status = 'finalized';
    for (const w of info.writes) this.emitAccount(w, 2);
    for (const tx of info.txs) this.emitTx(tx, 2);
    this.emitBlockMeta(info, 2);
    this.finalizedSlot = Math.max(this.finalizedSlot, info.slot);
    this.emitSlot(info.slot, info.parent, SlotStatus.SLOT_FINALIZED);
  }

  /**
   * Marks a slot to die. Without an argument, the open slot. A past slot may be named if it is not
   * finalized and no later slot holds transactions. Until it dies, new transactions wait in a queue
   * (nothing executes on top of the doomed state); they run in the first slot after the rollback.
   */
  killSlot(slot?: number): { slot: number; transactions: number } {
    const target = slot === undefined ? this.current : this.slots.get(slot);
    if (!target) throw new RpcError(-32602, `slot ${slot} is unknown or already pruned`);
    if (target.status === 'dead' || target.doomed)
      throw new RpcError(-32602, `slot ${target.slot} is already dead or dying`);
    if (target.status === 'finalized')
      throw new RpcError(-32602, `slot ${target.slot} is finalized and cannot die`);
    for (const s of this.slots.values()) {
      if (s.slot > target.slot && s.txs.length > 0) {
        throw new RpcError(
          -32602,
          `slot ${s.slot} after ${target.slot} holds transactions; only the newest slot with transactions can die`,
        );
      }
    }
    target.doomed = true;
    if (target.status === 'confirmed') this.die(target);
    return { slot: target.slot, transactions: target.txs.length };
  }

  private die(info: SlotInfo): void {
    info.status = 'dead';
    info.doomed = false;
    this.deadSlots.add(info.slot);
    this.emitSlot(info.slot, info.parent, SlotStatus.SLOT_DEAD, 'killed by rv_killSlot');
    // Rollback: every account the slot wrote gets back its value from before the slot.
    for (const [pubkey, pre] of info.preImages) this.bank.set(pubkey, pre);
    for (const tx of info.txs) if (this.txs.get(tx.signature) === tx) this.txs.delete(tx.signature);
    if (this.confirmedSlot === info.slot) this.confirmedSlot = this.lastLive(info.slot);
    if (this.opts.emitRestoredAccounts) {
      const open = this.current;
      for (const [pubkey, pre] of info.preImages) {
        if (!open.preImages.has(pubkey)) open.preImages.set(pubkey, this.bank.get(pubkey));
        const w: AccountWrite = {
          pubkey,
          state: pre,
          slot: open.slot,
          writeVersion: this.writeVersion++,
          txnSignature: undefined,
        };
        open.writes.push(w);
        this.emitAccount(w, 0);
      }
    }
    this.drainQueue();
  }

  private lastLive(below: number): number {
    for (let s = below - 1; s > 0; s--) {
      const info = this.slots.get(s);
      if (!info) return s;
      if (info.status === 'confirmed' || info.status === 'finalized') return s;
    }
    return 0;
  }

  private prune(): void {
    const keep = Math.max(this.opts.finalizeDepth + 8, BLOCKHASH_VALID_SLOTS + 8);
    for (const [slot, info] of this.slots) {
      if (this.current.slot - slot > keep && (info.status === 'finalized' || info.status === 'dead')) {
        this.slots.delete(slot);
        this.blockhashes.delete(info.blockhash);
      }
    }
  }

  private emitBlockMeta(info: SlotInfo, level: Commitment): void {
    const parent = info.parent === undefined ? undefined : this.slots.get(info.parent);
    const meta: BlockMeta = {
      slot: info.slot,
      blockhash: info.blockhash,
      parentSlot: info.parent ?? 0,
      parentBlockhash: parent?.blockhash ?? this.blockhashFor(info.parent ?? 0),
      blockTime: info.blockTime,
      blockHeight: info.slot,
      executedTransactionCount: info.txs.length,
    };
    for (const l of this.listeners) l.onBlockMeta?.(meta, level);
  }

  private emitAccount(w: AccountWrite, level: Commitment): void {
    for (const l of this.listeners) l.onAccount?.(w, level);
  }

  private emitTx(tx: TxRecord, level: Commitment): void {
    for (const l of this.listeners) l.onTransaction?.(tx, level);
  }

  private emitSlot(
    slot: number,
    parent: number | undefined,
    status: SlotStatusValue,
    deadError?: string,
  ): void {
    for (const l of this.listeners) l.onSlot?.(slot, parent, status, deadError);
  }
}
