import { Logger } from '@nestjs/common';
import bs58 from 'bs58';
import type { Producer } from 'kafkajs';
import type { Pool } from 'pg';
import { chainUpdateCodec, chainUpdateKey, type ChainUpdate } from '@rv/events';
import type { IngestMetrics } from './ingest-metrics';

/** What a batch made durable, for the ingest to persist after the broker acknowledged it. */
export interface DurableMarks {
  /** Highest CONFIRMED slot whose status record (and so every record before it) is now published. */
  confirmed?: number;
  /** Highest FINALIZED slot whose status record is now published. */
  finalized?: number;
}

export interface ChainPublisherOptions {
  /** Records per producer.send (one request, one journal statement). */
  maxBatch?: number;
  /** Records buffered ahead of the batch in flight before the stream reader waits. */
  maxBuffer?: number;
  /** Runs after each acknowledged batch, before the next one starts (checkpoint, journal pruning). */
  onDurable?: (marks: DurableMarks) => Promise<void>;
  /** How long records without a slot mark wait for more before they leave (ms). */
  lingerMs?: number;
}

type Entry =
  | { kind: 'record'; u: ChainUpdate; value: Buffer; journaled: boolean }
  | { kind: 'confirmed' | 'finalized'; slot: number };

/**
 * Publishes normalized updates to rv.chain.updates.v1 in stream order (idempotent producer,
 * acks=all), in batches, and journals what it publishes in indexer_published under its slot first
 * (each program event; each token account a slot wrote), so that when the slot dies the ingest knows
 * exactly what to compensate, even after a restart.
 *
 * Group commit: `push` only buffers; one batch is in flight at a time and takes everything that
 * arrived while the previous one was in flight (up to maxBatch). A batch starts as soon as a slot
 * mark is buffered (at confirmed, a slot's records arrive just before its status, so a quiet stream
 * publishes one batch per slot, and the checkpoint can move with it), when maxBatch records wait,
 * or lingerMs after the first unsent record. Under load batches grow (one journal statement and one
 * broker round trip for thousands of records). Batches leave strictly in push order.
 *
 * Checkpoint discipline: the ingest marks a slot CONFIRMED after pushing its status record; that
 * mark rides in the buffer, so it reaches `onDurable` only after every record pushed before it was
 * acknowledged. After a failed batch nothing more is sent and nothing more becomes durable until
 * `reset()` (the ingest then resumes from its checkpoint, and the records replay): a later batch
 * can never move the checkpoint over a failed one.
 */
export class ChainPublisher {
  private readonly log = new Logger('ingest');
  private buffer: Entry[] = [];
  private records = 0; // record entries in buffer
  private marks = 0; // mark entries in buffer
  private linger?: NodeJS.Timeout;
  private accounts = new Map<string, { wallet: string; mint: string }>();
  private readonly keys = new Map<string, Buffer>();
  private inflight?: Promise<void>;
  private failure?: unknown;
  private readonly maxBatch: number;
  private readonly maxBuffer: number;
  published = 0;
  batches = 0;

  constructor(
    private readonly pool: Pool,
    private readonly producer: Producer,
    private readonly topic: string,
    private readonly metrics?: IngestMetrics,
    private readonly opts: ChainPublisherOptions = {},
  ) {
    this.maxBatch = opts.maxBatch ?? 4000;
    this.maxBuffer = opts.maxBuffer ?? 20000;
    this.lingerMs = opts.lingerMs ?? 5;
  }

  private readonly lingerMs: number;

  /** Token accounts to record in indexer_ingest_accounts with the next batch (same statement as the journal). */
  rememberAccount(tokenAccount: string, wallet: string, mint: string): void {
    this.accounts.set(tokenAccount, { wallet, mint });
  }

  /** Buffers a record for the next batch; throws if a batch failed since the last reset. */
  push(u: ChainUpdate): void {
    this.check();
    this.buffer.push({
      kind: 'record',
      u,
      value: chainUpdateCodec.encode(u),
      journaled: u.type !== 'slot_status' && u.type !== 'event_reverted',
    });
    this.records++;
    this.kick();
  }

  /** Everything pushed so far completes `slot` at confirmed: the checkpoint may move there once it is published. */
  markConfirmed(slot: number): void {
    this.check();
    this.buffer.push({ kind: 'confirmed', slot });
    this.marks++;
    this.kick();
  }

  /** `slot` is finalized (its status record was pushed): its journal rows may go once published. */
  markFinalized(slot: number): void {
    this.check();
    this.buffer.push({ kind: 'finalized', slot });
    this.marks++;
    this.kick();
  }

  /** Backpressure for the stream reader: waits while the buffer is full; throws a batch failure. */
  async admit(): Promise<void> {
    while (this.records >= this.maxBuffer && this.inflight) await this.inflight;
    this.check();
  }

  /** Publishes everything pushed so far; resolves once it is acknowledged and `onDurable` ran. */
  async flush(): Promise<void> {
    for (;;) {
      this.check();
      if (!this.inflight) {
        if (this.buffer.length === 0 && this.accounts.size === 0) return;
        this.kick(true);
      }
      await this.inflight;
    }
  }

  /**
   * Waits for the batch in flight, then forgets what was not published and any failure: the ingest
   * resumes from its checkpoint, so those records are streamed again. Remembered token accounts are
   * kept (facts, written with the next batch).
   */
  async reset(): Promise<void> {
    await this.inflight;
    this.buffer = [];
    this.records = 0;
    this.marks = 0;
    this.failure = undefined;
  }

  private check(): void {
    if (this.failure !== undefined) {
      const e = this.failure;
      throw e instanceof Error ? e : new Error(String(e));
    }
  }

  /** Starts a batch unless one is in flight (it starts the next one when it ends) or it may linger. */
  private kick(now = false): void {
    if (this.inflight || this.failure !== undefined) return;
    if (this.buffer.length === 0 && this.accounts.size === 0) return;
    if (!now && this.marks === 0 && this.records < this.maxBatch) {
      this.linger ??= setTimeout(() => {
        this.linger = undefined;
        this.kick(true);
      }, this.lingerMs);
      return;
    }
    if (this.linger) clearTimeout(this.linger);
    this.linger = undefined;
    this.inflight = this.run().then(
      () => {
        this.inflight = undefined;
        this.kick();
      },
      (e: unknown) => {
        this.failure = e;
        this.inflight = undefined;
        this.log.warn(`publishing a batch failed: ${e instanceof Error ? e.message : String(e)}`);
      },
    );
  }

  private async run(): Promise<void> {
    const marks: DurableMarks = {};
    const batch: Extract<Entry, { kind: 'record' }>[] = [];
    let taken = 0;
    for (const e of this.buffer) {
      if (e.kind === 'record') {
        if (batch.length >= this.maxBatch) break;
        batch.push(e);
      } else {
        if (e.kind === 'confirmed') marks.confirmed = Math.max(marks.confirmed ?? 0, e.slot);
        else marks.finalized = Math.max(marks.finalized ?? 0, e.slot);
        this.marks--;
      }
      taken++;
    }
    this.buffer = this.buffer.slice(taken);
    this.records -= batch.length;
    const accounts = [...this.accounts];
    this.accounts = new Map();
    const started = Date.now();
    try {
      await this.journal(batch, accounts);
    } catch (e) {
      for (const [k, v] of accounts) if (!this.accounts.has(k)) this.accounts.set(k, v);
      throw e;
    }
    if (batch.length > 0) {
      await this.producer.send({
        topic: this.topic,
        acks: -1,
        messages: batch.map((e) => ({
          key: this.keyBytes(chainUpdateKey(e.u)),
          value: e.value,
          headers: { 'rv-idempotency-key': e.u.id },
        })),
      });
    }
    if (marks.confirmed !== undefined || marks.finalized !== undefined) await this.opts.onDurable?.(marks);
    this.published += batch.length;
    this.batches++;
    this.metrics?.batchSize?.observe(batch.length);
    this.metrics?.batchSeconds?.observe((Date.now() - started) / 1000);
    if (this.metrics) {
      // One counter update per record type and batch (a labelled inc per record costs more).
      const perType = new Map<string, number>();
      for (const e of batch) perType.set(e.u.type, (perType.get(e.u.type) ?? 0) + 1);
      for (const [type, n] of perType) this.metrics.records.inc({ type }, n);
    }
  }

  /**
   * A record key as bytes (the same UTF-8 bytes kafkajs would make of the string, so the same
   * partition): the same few keys (wallets, `slots`, `track:<id>`) recur in every batch.
   */
  private keyBytes(key: string): Buffer {
    let b = this.keys.get(key);
    if (b === undefined) {
      if (this.keys.size >= 100_000) this.keys.clear();
      b = Buffer.from(key, 'utf8');
      this.keys.set(key, b);
    }
    return b;
  }

  /**
   * The batch's journal rows and new token accounts, in one statement. What a dead slot needs from
   * the journal is its program events (to revert) and the token accounts it wrote (to re-read over
   * RPC), so of several holdings of one token account in one slot the batch journals one row (the
   * last); program events are journaled one row each.
   */
  private async journal(
    batch: Extract<Entry, { kind: 'record' }>[],
    accounts: [string, { wallet: string; mint: string }][],
  ): Promise<void> {
    const journaled: Extract<Entry, { kind: 'record' }>[] = [];
    const holdingAt = new Map<string, number>(); // `<slot>:<token account>` -> index in journaled
    for (const e of batch) {
      if (!e.journaled) continue;
      if (e.u.type === 'holding_changed') {
        const k = `${e.u.slot}:${e.u.tokenAccount}`;
        const at = holdingAt.get(k);
        if (at !== undefined) {
          journaled[at] = e;
          continue;
        }
        holdingAt.set(k, journaled.length);
      }
      journaled.push(e);
    }
    if (journaled.length === 0 && accounts.length === 0) return;
    await this.pool.query(
      `WITH accounts AS (
         INSERT INTO indexer_ingest_accounts (token_account, wallet, mint)
         SELECT * FROM unnest($4::bytea[], $5::bytea[], $6::bytea[])
         ON CONFLICT (token_account) DO UPDATE SET wallet = EXCLUDED.wallet, mint = EXCLUDED.mint
       )
       INSERT INTO indexer_published (slot, id, record)
       SELECT * FROM unnest($1::bigint[], $2::text[], $3::bytea[]) ON CONFLICT (slot, id) DO NOTHING`,
      [
        journaled.map((e) => e.u.slot),
        journaled.map((e) => e.u.id),
        journaled.map((e) => e.value),
        accounts.map(([a]) => Buffer.from(bs58.decode(a))),
        accounts.map(([, v]) => Buffer.from(bs58.decode(v.wallet))),
        accounts.map(([, v]) => Buffer.from(bs58.decode(v.mint))),
      ],
    );
  }
}
