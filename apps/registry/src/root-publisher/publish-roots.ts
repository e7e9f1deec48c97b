import { Logger } from '@nestjs/common';
import type { RootRecord } from '@rv/events';
import type { RootChain, SubmitOutcome, TrackState } from './solana-root-chain';

export type SkipReason =
  /** The Track account's last seq is already >= this seq (a replay, or another publisher was first). */
  | 'already_on_chain'
  /** A newer root of the same track came in the same batch and was submitted instead. */
  | 'superseded'
  /** The same (track, seq) twice in one batch. */
  | 'duplicate'
  /** The program refused with SeqNotIncreasing: someone landed this seq or a newer one first. */
  | 'seq_not_increasing';

export type DeadCode = 'unknown_track' | 'root_conflict';

export type RecordOutcome =
  | { kind: 'submitted'; signature: string; slot: number }
  | { kind: 'skipped'; reason: SkipReason }
  | { kind: 'dead'; code: DeadCode; reason: string };

export interface PublishHooks {
  /** Time from building the transaction to its confirmation (or the program's refusal). */
  onSubmit?: (seconds: number, outcome: SubmitOutcome['status']) => void;
}

/** Tracks of one batch submitted at once (each sends at most one transaction). */
const TRACK_CONCURRENCY = 8;

const hex = (b: Uint8Array) => `0x${Buffer.from(b).toString('hex')}`;
const rootBytes = (h: string) => Uint8Array.from(Buffer.from(h.slice(2), 'hex'));

/**
 * Puts the registry's roots on chain with exactly-once effect: update_root guards by seq on chain,
 * so the publisher only sends a seq newer than the Track account's last seq and takes the program's
 * SeqNotIncreasing as "already done". Of several roots of one track in a batch only the newest is
 * sent: the older ones are superseded and never reach the chain, so the indexer (which marks a
 * (track, seq) accepted when it sees MerkleRootUpdated) never marks them accepted; the newest is.
 * Any ChainFailure propagates (the caller retries the batch without committing).
 */
export class PublishRoots {
  private readonly log = new Logger('root-publisher');

  constructor(
    private readonly chain: RootChain,
    private readonly hooks: PublishHooks = {},
  ) {}

  /** One outcome per record, in input order. */
  async publish(records: readonly RootRecord[]): Promise<RecordOutcome[]> {
    const out: RecordOutcome[] = new Array(records.length);
    const byTrack = new Map<bigint, number[]>();
    records.forEach((r, i) => {
      const idx = byTrack.get(r.trackId);
      if (idx) idx.push(i);
      else byTrack.set(r.trackId, [i]);
    });
    // Tracks are independent: up to TRACK_CONCURRENCY at once. Every track finishes (a landed root
    // stays landed) before the first failure is thrown, so a retry re-reads and skips those.
    const groups = [...byTrack];
    const failures: unknown[] = [];
    const worker = async () => {
      for (let g = groups.shift(); g; g = groups.shift()) {
        await this.publishTrack(g[0], g[1], records, out).catch((e: unknown) => failures.push(e));
      }
    };
    await Promise.all(Array.from({ length: Math.min(TRACK_CONCURRENCY, groups.length) }, worker));
    if (failures.length > 0) throw failures[0];
    return out;
  }

  private async publishTrack(
    trackId: bigint,
    idx: number[],
    records: readonly RootRecord[],
    out: RecordOutcome[],
  ): Promise<void> {
    const state = await this.chain.readTrack(trackId);
    if (!state) {
      for (const i of idx) {
        out[i] = {
          kind: 'dead',
          code: 'unknown_track',
          reason: `track ${trackId} is not registered on chain (no Track account)`,
        };
      }
      return;
    }
    const pending: number[] = [];
    for (const i of idx) {
      const r = records[i]!;
      if (r.seq > state.lastSeq) pending.push(i);
      else out[i] = this.onChainAlready(r, state);
    }
    if (pending.length === 0) return;

    let newest = pending[0]!;
    for (const i of pending) if (records[i]!.seq >= records[newest]!.seq) newest = i;
    const r = records[newest]!;
    const started = process.hrtime.bigint();
    const res = await this.chain.submitRoot({
      trackId,
      root: rootBytes(r.root),
      leafCount: r.leafCount,
      seq: r.seq,
    });
    this.hooks.onSubmit?.(Number(process.hrtime.bigint() - started) / 1e9, res.status);
    if (res.status === 'landed') {
      out[newest] = { kind: 'submitted', signature: res.signature, slot: res.slot };
      this.log.log(
        `update_root track ${trackId} seq ${r.seq} root ${r.root} leaves ${r.leafCount}: ${res.signature} (slot ${res.slot})`,
      );
    } else {
      // Someone else landed this seq or a newer one after our read: check it is not a different root.
      const now = await this.chain.readTrack(trackId);
      out[newest] = now
        ? this.onChainAlready(r, now, 'seq_not_increasing')
        : { kind: 'skipped', reason: 'seq_not_increasing' };
    }
    for (const i of pending) {
      if (i === newest) continue;
      const p = records[i]!;
      if (p.seq < r.seq) out[i] = { kind: 'skipped', reason: 'superseded' };
      else if (p.root === r.root) out[i] = { kind: 'skipped', reason: 'duplicate' };
      else
        out[i] = {
          kind: 'dead',
          code: 'root_conflict',
          reason: `track ${trackId} seq ${p.seq}: two different roots published for one seq`,
        };
    }
    if (pending.length > 1) {
      this.log.debug(
        `track ${trackId}: ${pending.length - 1} older root(s) superseded by seq ${r.seq}; they will not be accepted on chain`,
      );
    }
  }

  /** A record whose seq the chain already has (seq <= last seq). Same seq with another root: a conflict. */
  private onChainAlready(
    r: RootRecord,
    state: TrackState,
    reason: SkipReason = 'already_on_chain',
  ): RecordOutcome {
    if (r.seq === state.lastSeq && state.latestRoot && hex(state.latestRoot) !== r.root) {
      const msg = `track ${r.trackId} seq ${r.seq}: chain holds root ${hex(state.latestRoot)} but the registry published ${r.root}`;
      this.log.error(msg);
      return { kind: 'dead', code: 'root_conflict', reason: msg };
    }
    return { kind: 'skipped', reason };
  }
}
