import { Logger } from '@nestjs/common';
import {
  CommitmentLevel,
  SlotStatus,
  type SubscribeRequest,
  type SubscribeUpdate,
} from '@triton-one/yellowstone-grpc';
import { Connection, PublicKey } from '@solana/web3.js';
import bs58 from 'bs58';
import type { Producer } from 'kafkajs';
import type { Pool } from 'pg';
import {
  RAINBOW_VEIL_PROGRAM_ID,
  TOKEN_ACCOUNT_LEN,
  TOKEN_ACCOUNT_MINT_OFFSET,
  TOKEN_PROGRAM_ID,
} from '@rv/chain';
import { chainUpdateCodec, type HoldingChangedUpdate, type ProgramEventUpdate } from '@rv/events';
import { DLQ_HEADERS, dlqTopicOf } from '@rv/kafka';
import { ChainPublisher, type DurableMarks } from './chain-publisher';
import {
  connectGeyser,
  credentialsRejected,
  type GeyserConnection,
  type GeyserStream,
  type GeyserTransport,
} from './geyser-client';
import type { IngestMetrics } from './ingest-metrics';
import {
  normalizeAccount,
  normalizeTransaction,
  revertOf,
  slotStatusUpdate,
  type UndecodableEvent,
} from './normalize';

/** Slots of the chain asked for below and above the journaled slots, to bracket each by blocks. */
const DEAD_CHECK_MARGIN_SLOTS = 512;
/** getBlocks answers at most this many slots per call (a validator's MAX_GET_CONFIRMED_BLOCKS_RANGE). */
const GET_BLOCKS_MAX_RANGE = 500_000;

export interface IngestOptions {
  pool: Pool;
  producer: Producer;
  chainUpdatesTopic: string;
  geyserEndpoint: string;
  /** Sent as `x-token` metadata on every Yellowstone call; never logged. */
  xToken?: string;
  /** PEM file of the CA certificates trusted for an https:// endpoint (default: the system's roots). */
  caFile?: string;
  rpcUrl: string;
  /** Yellowstone client transport (default grpc-js; see geyser-client.ts). */
  transport?: GeyserTransport;
  /** Checkpoint name (one per stream). */
  name: string;
  /** Where to start without a checkpoint (default: live). */
  startSlot?: number;
  maxBackoffMs?: number;
  metrics?: IngestMetrics;
  /** How long the stream may be down or silent before `streamHealth()` reports it (default 60 s). */
  staleAfterMs?: number;
  /**
   * How many slots below the checkpoint a (re)subscription may start so that the DEAD status of a
   * checkpointed slot that had published records (and was not finalized) is still seen (default
   * 512; 0 = resume at checkpoint + 1). Only as far back as the oldest such slot, never below the
   * server's first available slot.
   */
  rescanSlots?: number;
}

/** The Yellowstone stream as readiness sees it. */
export interface StreamHealth {
  state: 'starting' | 'streaming' | 'backfilling' | 'reconnecting' | 'stopped';
  /** ok, or why the stream is not delivering (down or silent for longer than staleAfterMs). */
  problem?: string;
  /** When the last update (any, including server pings) arrived; 0 = never. */
  lastUpdateAt: number;
  reconnects: number;
}

/**
 * Ingest: one Yellowstone subscription at `confirmed` — rainbow_veil transactions, SPL Token
 * accounts of registered track mints (owner + datasize + memcmp(mint) filters, one per mint,
 * re-sent when a track is registered) and slot statuses — normalized to rv.chain.updates.v1.
 *
 * Guarantees:
 * - Checkpoint = the last CONFIRMED slot whose records are all acknowledged by Kafka; it never
 *   moves over a hole. On (re)connect it resumes with from_slot = checkpoint + 1; below the server's
 *   replay window (SubscribeReplayInfo) it first backfills the missing range over Solana RPC.
 * - A checkpointed slot can still die (until it is finalized), also while the ingest is down or
 *   between two subscriptions. So a (re)subscription starts at the oldest slot at or below the
 *   checkpoint that still has journal rows (published, not known finalized; at most rescanSlots
 *   back, within the replay window): for slots at or below the checkpoint only a DEAD status is
 *   acted on (compensation, when the slot still has journal rows); their transactions, accounts
 *   and other statuses were already published and are skipped, not published again.
 * - Journaled slots below the replay window (the ingest was away longer than it) can have died
 *   unseen: before the RPC backfill, a journaled slot that getBlocks shows off the confirmed chain
 *   is compensated as if its DEAD status had been streamed (deadBelowWindow).
 * - Slot chain: a confirmed slot whose parent is above the checkpoint means the stream skipped
 *   blocks; that range is backfilled over RPC before the checkpoint moves.
 * - A DEAD slot: every program event it published is compensated (event_reverted) and every
 *   holding it published is re-read over RPC and published again with the rolled-back state.
 * - Server pings are answered; a broken stream reconnects with exponential backoff.
 * Duplicates (replays after a reconnect, backfill overlaps) are harmless: records carry their
 * idempotency key and the projector's writes are guarded (write versions, unique keys).
 */
export class Ingest {
  private readonly log = new Logger('ingest');
  private readonly mints = new Map<string, bigint>(); // mint base58 -> track id
  private readonly known = new Map<string, { wallet: string; mint: string }>();
  private readonly publisher: ChainPublisher;
  private readonly rpc: Connection;
  private checkpoint: number | undefined;
  /** Highest confirmed slot handed to the publisher in this session (the checkpoint follows it once acked). */
  private lastConfirmed: number | undefined;
  /** In this subscription, updates of slots at or below this one are a rescan: only DEAD counts. */
  private rescanUpTo: number | undefined;
  private running = false;
  private loop?: Promise<void>;
  private stream?: GeyserStream;
  private chainTip = 0;
  private mintsChanged = false;
  private progress?: (done: number, total: number) => void;
  private state: StreamHealth['state'] = 'starting';
  /** Since when the stream has been in a state other than 'streaming' (or since the last update). */
  private stateSince = Date.now();
  private lastUpdateAt = 0;
  private lastError?: string;
  /** The endpoint refused the x-token on the last attempt (cleared once a stream runs). */
  private refused = false;
  reconnects = 0;
  gapsFilled = 0;
  /** Slots seen DEAD and compensated. */
  deadSlots = 0;

  constructor(private readonly opts: IngestOptions) {
    this.publisher = new ChainPublisher(opts.pool, opts.producer, opts.chainUpdatesTopic, opts.metrics, {
      onDurable: (marks) => this.durable(marks),
    });
    this.rpc = new Connection(opts.rpcUrl, 'confirmed');
  }

  get checkpointSlot(): number | undefined {
    return this.checkpoint;
  }

  /**
   * For readiness: a problem once the stream has been down (reconnecting) or silent for longer than
   * staleAfterMs. A real Yellowstone server sends slot updates several times a second and pings
   * every few seconds, so silence means a stalled stream even when the connection is up. A
   * backfill over RPC is progress, not a problem.
   */
  streamHealth(now = Date.now()): StreamHealth {
    const stale = this.opts.staleAfterMs ?? 60_000;
    const base = { state: this.state, lastUpdateAt: this.lastUpdateAt, reconnects: this.reconnects };
    if (this.refused && this.state === 'reconnecting')
      return {
        ...base,
        problem: `${this.endpoint} refused the credentials (check GEYSER_X_TOKEN): ${this.lastError}`,
      };
    const since = Math.max(this.stateSince, this.lastUpdateAt);
    if (this.state === 'backfilling' || this.state === 'stopped' || now - since <= stale) return base;
    const secs = Math.round((now - since) / 1000);
    const problem =
      this.state === 'streaming'
        ? `no update from ${this.endpoint} for ${secs} s`
        : `stream to ${this.endpoint} down for ${secs} s (${this.reconnects} reconnects${this.lastError ? `, last error: ${this.lastError}` : ''})`;
    return { ...base, problem };
  }

  /** The endpoint for logs and readiness: scheme, host and port only (no path, query or user info). */
  private get endpoint(): string {
    try {
      const u = new URL(this.opts.geyserEndpoint);
      return `${u.protocol}//${u.host}`;
    } catch {
      return '(invalid GEYSER_ENDPOINT)';
    }
  }

  private setState(state: StreamHealth['state']): void {
    if (state === this.state) return;
    this.state = state;
    this.stateSince = Date.now();
  }

  async start(): Promise<void> {
    await this.load();
    this.running = true;
    this.loop = this.run();
  }

  /** Loads the registered mints, the published token accounts and the checkpoint. */
  async load(): Promise<void> {
    const { rows } = await this.opts.pool.query<{ mint: Buffer; track_id: string }>(
      `SELECT mint, track_id::text FROM indexer_ingest_mints`,
    );
    for (const r of rows) this.mints.set(bs58.encode(r.mint), BigInt(r.track_id));
    const accounts = await this.opts.pool.query<{ token_account: Buffer; wallet: Buffer; mint: Buffer }>(
      `SELECT token_account, wallet, mint FROM indexer_ingest_accounts`,
    );
    for (const r of accounts.rows)
      this.known.set(bs58.encode(r.token_account), {
        wallet: bs58.encode(r.wallet),
        mint: bs58.encode(r.mint),
      });
    const cp = await this.opts.pool.query<{ slot: string }>(
      `SELECT slot::text FROM indexer_checkpoints WHERE name = $1`,
      [this.checkpointName],
    );
    this.checkpoint = cp.rows[0] ? Number(cp.rows[0].slot) : undefined;
  }

  /**
   * Operations: fills slots [from, to] over RPC (see backfill) without streaming; `load()` first.
   * The checkpoint only moves if `to` is above it.
   */
  async backfillRange(
    from: number,
    to: number,
    onProgress?: (done: number, total: number) => void,
  ): Promise<void> {
    this.progress = onProgress;
    try {
      await this.backfill(from, to);
    } finally {
      this.progress = undefined;
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    this.setState('stopped');
    this.stream?.destroy();
    await this.loop;
  }

  /** Drops the current stream (tests / operations); the ingest reconnects and resumes. */
  dropStream(): void {
    this.stream?.destroy();
  }

  private get checkpointName(): string {
    return `ingest:${this.opts.name}`;
  }

  private async run(): Promise<void> {
    let attempt = 0;
    while (this.running) {
      const started = Date.now();
      try {
        if ((await this.session()) === 'resubscribe') continue;
      } catch (e) {
        this.lastError = e instanceof Error ? e.message : String(e);
        this.refused = credentialsRejected(e);
        if (!this.running) break;
        if (this.refused)
          this.log.error(
            `${this.endpoint} refused the credentials: ${this.lastError}. Check GEYSER_X_TOKEN (set: ${this.opts.xToken ? 'yes' : 'no'}); retrying every ${Math.round((this.opts.maxBackoffMs ?? 10_000) / 1000)} s`,
          );
        else this.log.warn(`stream ended: ${this.lastError}`);
      }
      if (!this.running) break;
      this.setState('reconnecting');
      if (Date.now() - started > 10_000) attempt = 0;
      attempt = this.refused ? 10 : attempt + 1; // a refused token: straight to the longest backoff
      this.reconnects++;
      this.opts.metrics?.reconnects.inc();
      const backoff = Math.min(this.opts.maxBackoffMs ?? 10_000, 100 * 2 ** Math.min(attempt, 10));
      await new Promise((r) => setTimeout(r, backoff));
    }
  }

  private request(fromSlot?: number): SubscribeRequest {
    const accounts: SubscribeRequest['accounts'] = {};
    for (const [mint, trackId] of this.mints) {
      accounts[`track_${trackId}`] = {
        account: [],
        owner: [TOKEN_PROGRAM_ID.toBase58()],
        filters: [
          { datasize: String(TOKEN_ACCOUNT_LEN) },
          { memcmp: { offset: String(TOKEN_ACCOUNT_MINT_OFFSET), base58: mint } },
        ],
      };
    }
    return {
      accounts,
      slots: { slots: { filterByCommitment: false } },
      transactions: {
        rv: {
          vote: false,
          failed: false,
          accountInclude: [RAINBOW_VEIL_PROGRAM_ID.toBase58()],
          accountExclude: [],
          accountRequired: [],
        },
      },
      transactionsStatus: {},
      blocks: {},
      blocksMeta: {},
      entry: {},
      accountsDataSlice: [],
      commitment: CommitmentLevel.CONFIRMED,
      ...(fromSlot !== undefined ? { fromSlot: String(fromSlot) } : {}),
    };
  }

  private async write(req: SubscribeRequest): Promise<void> {
    await this.stream?.write(req);
  }

  /** Ends normally when the stream ends, or with 'resubscribe' when the filters must change. */
  private async session(): Promise<'ended' | 'resubscribe'> {
    const client = await connectGeyser(
      this.opts.geyserEndpoint,
      this.opts.xToken,
      this.opts.transport ?? 'grpc-js',
      this.opts.caFile,
    );
    try {
      return await this.streamFrom(client);
    } finally {
      client.close();
    }
  }

  private async streamFrom(client: GeyserConnection): Promise<'ended' | 'resubscribe'> {
    let fromSlot = this.checkpoint !== undefined ? this.checkpoint + 1 : this.opts.startSlot;
    if (fromSlot !== undefined) {
      const first = await client.firstAvailableSlot();
      // Before the backfill: a compensation precedes whatever replaced the dead slot's transactions.
      if (first > 0) await this.deadBelowWindow(first);
      if (first > 0 && fromSlot < first) {
        // Outside the server's replay window: fill [fromSlot, first - 1] over RPC, then stream from `first`.
        this.setState('backfilling');
        await this.backfill(fromSlot, first - 1);
        fromSlot = first;
      }
    }
    const rescanFrom = await this.rescanStart(fromSlot, client);
    this.rescanUpTo = rescanFrom !== undefined ? this.checkpoint : undefined;
    const subscribeFrom = rescanFrom ?? fromSlot;
    const stream = await client.subscribe();
    this.stream = stream;
    try {
      await this.write(this.request(subscribeFrom));
      this.log.log(
        `subscribed to ${this.endpoint} at confirmed${subscribeFrom !== undefined ? ` from slot ${subscribeFrom}` : ''}${rescanFrom !== undefined ? ` (slot statuses from ${rescanFrom}, data from ${fromSlot})` : ''} (${this.mints.size} mints)`,
      );
      this.lastConfirmed = this.checkpoint;
      this.refused = false;
      this.setState('streaming');
      for await (const u of stream) {
        if (!this.running) break;
        this.lastUpdateAt = Date.now();
        await this.handle(u);
        await this.publisher.admit();
        if (this.mintsChanged) {
          // A new track mint: its token accounts must be streamed from the registration slot on,
          // including updates the server already sent under the old filters. Resubscribe from the
          // checkpoint (below that slot) with the new filters; replayed records are idempotent.
          this.mintsChanged = false;
          await this.publisher.flush();
          return 'resubscribe';
        }
      }
      // The stream ended (or stop()): what was received is a prefix of the stream, publish it.
      await this.publisher.flush();
      return 'ended';
    } finally {
      this.stream = undefined;
      stream.destroy();
      // After a failure: wait for the batch in flight, drop the rest (it is replayed from the checkpoint).
      await this.publisher.reset();
    }
  }

  /**
   * Where a subscription must start to see the DEAD status of checkpointed slots that published
   * records and are not known finalized (their journal rows are still there), or undefined when
   * from_slot = checkpoint + 1 is enough.
   */
  private async rescanStart(
    fromSlot: number | undefined,
    client: GeyserConnection,
  ): Promise<number | undefined> {
    const cp = this.checkpoint;
    const margin = this.opts.rescanSlots ?? 512;
    if (cp === undefined || fromSlot === undefined || fromSlot !== cp + 1 || margin <= 0) return undefined;
    const { rows } = await this.opts.pool.query<{ slot: string | null }>(
      `SELECT min(slot)::text AS slot FROM indexer_published WHERE slot <= $1 AND slot >= $2`,
      [cp, Math.max(0, cp - margin)],
    );
    if (!rows[0]?.slot) return undefined;
    const oldest = Number(rows[0].slot);
    const first = await client.firstAvailableSlot();
    if (first > 0 && oldest < first)
      this.log.warn(
        `slots from ${oldest} published records and may still die, but the server replays only from ${first}: below it they were checked over RPC now (on the confirmed chain, or not decided yet); a later death there is seen only live`,
      );
    const from = first > 0 ? Math.max(oldest, first) : oldest;
    return from <= cp ? from : undefined;
  }

  /**
   * Journaled slots below the server's replay window (`first` = SubscribeReplayInfo.first_available):
   * the ingest was away longer than the window, so if such a slot died meanwhile no DEAD status
   * will ever be streamed for it. The RPC answers instead: getBlocks at confirmed lists the slots of
   * the confirmed chain (a validator's rooted slots plus the confirmed bank's ancestors; dead and
   * skipped slots are absent). A journaled slot published records, so it was confirmed when it was
   * streamed; absent now, with blocks of the confirmed chain listed below and above it (the RPC's
   * ledger reaches it and its confirmed chain has moved past it — a lagging or pruned RPC node
   * decides nothing), it is on an abandoned fork and is compensated as a streamed DEAD would be.
   * Only slots in the rescan range (INGEST_RESCAN_SLOTS below the checkpoint; 0 = off) and the
   * journaled slots above the checkpoint that the backfill is about to cover. A slot that was simply
   * skipped journaled nothing and is never looked at.
   */
  private async deadBelowWindow(first: number): Promise<void> {
    const margin = this.opts.rescanSlots ?? 512;
    if (margin <= 0) return;
    const low = this.checkpoint !== undefined ? Math.max(0, this.checkpoint - margin) : 0;
    const { rows } = await this.opts.pool.query<{ slot: string }>(
      `SELECT slot::text FROM indexer_published WHERE slot >= $1 AND slot < $2 GROUP BY slot ORDER BY slot`,
      [low, first],
    );
    if (rows.length === 0) return;
    const journaled = rows.map((r) => Number(r.slot));
    const tip = await this.rpc.getSlot('confirmed');
    // Some slots around the journaled ones, so that each can be bracketed by blocks of the chain.
    const from = Math.max(0, journaled[0]! - DEAD_CHECK_MARGIN_SLOTS);
    const to = Math.min(tip, journaled[journaled.length - 1]! + DEAD_CHECK_MARGIN_SLOTS);
    const onChain = new Set<number>();
    let lowest = Infinity;
    let highest = -Infinity;
    for (let start = from; start <= to; start += GET_BLOCKS_MAX_RANGE) {
      const end = Math.min(to, start + GET_BLOCKS_MAX_RANGE - 1);
      for (const b of await this.rpc.getBlocks(start, end, 'confirmed')) {
        onChain.add(b);
        lowest = Math.min(lowest, b);
        highest = Math.max(highest, b);
      }
    }
    const root = await this.rpc.getSlot('finalized');
    const rooted = journaled.filter((slot) => onChain.has(slot) && slot <= root);
    // Finalized meanwhile: these can no longer die (the stream would have pruned them too).
    if (rooted.length > 0)
      await this.opts.pool.query(`DELETE FROM indexer_published WHERE slot = ANY($1::bigint[])`, [rooted]);
    for (const slot of journaled) {
      if (onChain.has(slot) || slot <= lowest || slot >= highest) continue; // alive, or not decided
      this.log.warn(
        `slot ${slot} published records and is not on the confirmed chain (RPC getBlocks ${from}..${to}); it is below the replay window (first available ${first}), so its death is compensated now`,
      );
      await this.onDead(slot, undefined);
    }
  }

  private async handle(u: SubscribeUpdate): Promise<void> {
    if (u.ping) {
      await this.write({ ...this.request(), ping: { id: 1 } });
      return;
    }
    const rescan = this.rescanUpTo;
    if (rescan !== undefined) {
      // Slots at or below the checkpoint: published already; only their death matters now.
      const slot = u.transaction?.slot ?? u.account?.slot ?? u.slot?.slot;
      if (slot !== undefined && Number(slot) <= rescan) {
        if (u.slot?.status === SlotStatus.SLOT_DEAD) await this.onRescannedDead(u.slot);
        else if (u.slot?.status === SlotStatus.SLOT_FINALIZED) this.publisher.markFinalized(Number(slot));
        return;
      }
    }
    if (u.transaction?.transaction) {
      const t = u.transaction.transaction;
      if (t.meta?.err) return;
      await this.onTransaction(
        Number(u.transaction.slot),
        bs58.encode(t.signature),
        t.meta?.logMessages ?? [],
      );
      return;
    }
    if (u.account?.account) {
      const a = u.account.account;
      const h = normalizeAccount(
        {
          slot: Number(u.account.slot),
          pubkey: a.pubkey,
          data: a.data,
          lamports: BigInt(a.lamports),
          writeVersion: BigInt(a.writeVersion),
          txnSignature: a.txnSignature,
        },
        (m) => this.mints.has(m),
        (k) => this.known.get(k),
      );
      if (h) this.onHolding(h);
      return;
    }
    if (u.slot) {
      const slot = Number(u.slot.slot);
      const parent = u.slot.parent !== undefined ? Number(u.slot.parent) : undefined;
      switch (u.slot.status) {
        case SlotStatus.SLOT_PROCESSED:
          this.chainTip = Math.max(this.chainTip, slot);
          return;
        case SlotStatus.SLOT_CONFIRMED:
          return this.onConfirmed(slot, parent);
        case SlotStatus.SLOT_FINALIZED:
          // Journal rows of finalized slots are pruned once this status record is published.
          this.publisher.push(slotStatusUpdate(slot, 'finalized', parent));
          this.publisher.markFinalized(slot);
          return;
        case SlotStatus.SLOT_DEAD:
          return this.onDead(slot, parent);
        case SlotStatus.SLOT_FIRST_SHRED_RECEIVED:
        case SlotStatus.SLOT_COMPLETED:
        case SlotStatus.SLOT_CREATED_BANK:
        case SlotStatus.UNRECOGNIZED:
          return; // interslot progress: not needed at confirmed
      }
    }
  }

  private async onTransaction(slot: number, signature: string, logs: readonly string[]): Promise<void> {
    const { updates, errors } = normalizeTransaction(slot, signature, logs);
    for (const e of errors) await this.deadLetter(e);
    for (const ev of updates) {
      if (ev.type === 'track_registered') await this.addMint(ev.mint, ev.trackId, slot);
      this.publisher.push(ev);
    }
  }

  private onHolding(h: HoldingChangedUpdate): void {
    const k = this.known.get(h.tokenAccount);
    if (!k || k.wallet !== h.wallet || k.mint !== h.mint) {
      // Remembered durably (in the publisher's flush, before the record is sent): a backfill after
      // a restart re-reads it.
      this.publisher.rememberAccount(h.tokenAccount, h.wallet, h.mint);
      this.known.set(h.tokenAccount, { wallet: h.wallet, mint: h.mint });
    }
    this.publisher.push(h);
  }

  private async addMint(mint: string, trackId: bigint, slot: number): Promise<void> {
    if (this.mints.has(mint)) return;
    this.mints.set(mint, trackId);
    await this.opts.pool.query(
      `INSERT INTO indexer_ingest_mints (mint, track_id, slot) VALUES ($1, $2, $3) ON CONFLICT (mint) DO NOTHING`,
      [Buffer.from(bs58.decode(mint)), trackId.toString(), slot],
    );
    this.mintsChanged = true;
  }

  /**
   * A confirmed slot: its records were pushed before its status. The checkpoint moves to it once the
   * batch holding its status is acknowledged (publisher.onDurable), never before.
   */
  private async onConfirmed(slot: number, parent: number | undefined): Promise<void> {
    const cp = this.lastConfirmed;
    if (cp !== undefined && parent !== undefined && parent > cp) {
      this.log.warn(
        `slot ${slot} has parent ${parent} above the checkpoint ${cp}: filling slots ${cp + 1}..${parent} over RPC`,
      );
      await this.publisher.flush();
      this.setState('backfilling');
      await this.backfill(cp + 1, parent);
      this.setState('streaming');
    }
    this.publisher.push(slotStatusUpdate(slot, 'confirmed', parent));
    if (cp === undefined || slot > cp) {
      this.publisher.markConfirmed(slot);
      this.lastConfirmed = slot;
    }
  }

  /** After an acknowledged batch: the checkpoint moves to its confirmed mark, finalized journal rows go. */
  private async durable(marks: DurableMarks): Promise<void> {
    if (marks.confirmed !== undefined) await this.saveCheckpoint(marks.confirmed, marks.finalized);
    else if (marks.finalized !== undefined)
      await this.opts.pool.query(`DELETE FROM indexer_published WHERE slot <= $1`, [marks.finalized]);
  }

  private async saveCheckpoint(slot: number, prunedUpTo?: number): Promise<void> {
    await this.opts.pool.query(
      `WITH pruned AS (DELETE FROM indexer_published WHERE slot <= $3::bigint)
       INSERT INTO indexer_checkpoints (name, slot) VALUES ($1, $2)
       ON CONFLICT (name) DO UPDATE SET slot = GREATEST(indexer_checkpoints.slot, EXCLUDED.slot), updated_at = now()`,
      [this.checkpointName, slot, prunedUpTo ?? null],
    );
    this.checkpoint = Math.max(this.checkpoint ?? 0, slot);
    this.lastConfirmed = Math.max(this.lastConfirmed ?? 0, this.checkpoint);
    this.opts.metrics?.checkpoint.set(this.checkpoint);
    this.opts.metrics?.slotLag.set(Math.max(0, this.chainTip - this.checkpoint));
  }

  /** A DEAD status of a checkpointed slot: compensated if the slot still has journal rows (not yet compensated). */
  private async onRescannedDead(u: NonNullable<SubscribeUpdate['slot']>): Promise<void> {
    const slot = Number(u.slot);
    const { rows } = await this.opts.pool.query(`SELECT 1 FROM indexer_published WHERE slot = $1 LIMIT 1`, [
      slot,
    ]);
    if (rows.length === 0) return;
    this.log.warn(`slot ${slot} at or below the checkpoint ${this.rescanUpTo} died`);
    await this.onDead(slot, u.parent !== undefined ? Number(u.parent) : undefined);
  }

  /** Compensates what a dead slot published: events are reverted, holdings re-read from RPC. */
  private async onDead(slot: number, parent: number | undefined): Promise<void> {
    await this.publisher.flush();
    const { rows } = await this.opts.pool.query<{ record: Buffer }>(
      `SELECT record FROM indexer_published WHERE slot = $1 ORDER BY id`,
      [slot],
    );
    const published = rows
      .map((r) => chainUpdateCodec.decode(r.record))
      .flatMap((d) => (d.ok ? [d.value] : []));
    const holdings = published.filter((u): u is HoldingChangedUpdate => u.type === 'holding_changed');
    const events = published.filter(
      (u): u is ProgramEventUpdate =>
        u.type !== 'holding_changed' && u.type !== 'slot_status' && u.type !== 'event_reverted',
    );
    for (const ev of events.reverse()) this.publisher.push(revertOf(ev, slot));
    const restored = await this.currentHoldings([...new Set(holdings.map((h) => h.tokenAccount))], slot + 1);
    for (const h of restored) this.onHolding(h);
    this.publisher.push(slotStatusUpdate(slot, 'dead', parent));
    await this.publisher.flush();
    await this.opts.pool.query(`DELETE FROM indexer_published WHERE slot = $1`, [slot]);
    this.deadSlots++;
    this.log.warn(
      `slot ${slot} died: compensated ${events.length} event(s) and ${restored.length} holding(s)`,
    );
  }

  /**
   * The current state of token accounts over RPC, as holding records at the RPC context slot
   * (never below `minSlot`) with write version 0: newer than anything published before that
   * slot, older than any later stream write of the same slot.
   */
  private async currentHoldings(accounts: string[], minSlot: number): Promise<HoldingChangedUpdate[]> {
    const out: HoldingChangedUpdate[] = [];
    for (const acc of accounts) {
      const res = await this.rpc.getAccountInfoAndContext(new PublicKey(acc), 'confirmed');
      const slot = Math.max(res.context.slot, minSlot);
      const h = normalizeAccount(
        {
          slot,
          pubkey: new PublicKey(acc).toBytes(),
          data: res.value ? Uint8Array.from(res.value.data) : new Uint8Array(),
          lamports: BigInt(res.value?.lamports ?? 0),
          writeVersion: 0n,
        },
        (m) => this.mints.has(m),
        (k) => this.known.get(k) ?? undefined,
      );
      if (h) out.push(h);
    }
    return out;
  }

  /**
   * Fills slots [from, to] over Solana RPC: program transactions (getSignaturesForAddress +
   * getTransaction) become the same event records the stream would have carried; token accounts
   * touched by the registered mints' transactions (new accounts reference their mint), and every
   * token account published before (indexer_ingest_accounts), are re-read (current state). Then
   * the checkpoint moves to `to`.
   */
  private async backfill(from: number, to: number): Promise<void> {
    const programSigs = await this.signaturesInRange(RAINBOW_VEIL_PROGRAM_ID, from, to);
    let done = 0;
    for (const s of programSigs) {
      this.progress?.(++done, programSigs.length);
      const tx = await this.rpc.getTransaction(s.signature, {
        commitment: 'confirmed',
        maxSupportedTransactionVersion: 0,
      });
      if (!tx || tx.meta?.err) continue;
      await this.onTransaction(tx.slot, s.signature, tx.meta?.logMessages ?? []);
    }
    const accounts = new Set<string>(this.known.keys());
    for (const mint of this.mints.keys()) {
      for (const s of await this.signaturesInRange(new PublicKey(mint), from, to)) {
        const tx = await this.rpc.getTransaction(s.signature, {
          commitment: 'confirmed',
          maxSupportedTransactionVersion: 0,
        });
        if (!tx || tx.meta?.err) continue;
        // Every account of a transaction that names the mint (InitializeAccount, MintTo, Burn,
        // TransferChecked...): the token accounts among them are kept by normalizeAccount.
        for (const key of tx.transaction.message.getAccountKeys().staticAccountKeys)
          accounts.add(key.toBase58());
      }
    }
    for (const h of await this.currentHoldings([...accounts], to)) this.onHolding(h);
    await this.publisher.flush();
    await this.saveCheckpoint(to);
    this.gapsFilled++;
    this.opts.metrics?.gapsFilled.inc();
    this.log.log(
      `backfilled slots ${from}..${to}: ${programSigs.length} program transaction(s), ${accounts.size} token account(s)`,
    );
  }

  private async signaturesInRange(
    address: PublicKey,
    from: number,
    to: number,
  ): Promise<{ signature: string; slot: number }[]> {
    const out: { signature: string; slot: number }[] = [];
    let before: string | undefined;
    for (;;) {
      const page = await this.rpc.getSignaturesForAddress(
        address,
        { limit: 1000, ...(before ? { before } : {}) },
        'confirmed',
      );
      if (page.length === 0) break;
      for (const s of page)
        if (s.slot >= from && s.slot <= to && !s.err) out.push({ signature: s.signature, slot: s.slot });
      const last = page[page.length - 1]!;
      if (last.slot < from || page.length < 1000) break;
      before = last.signature;
    }
    return out.reverse(); // oldest first
  }

  private async deadLetter(e: UndecodableEvent): Promise<void> {
    await this.opts.producer.send({
      topic: dlqTopicOf(this.opts.chainUpdatesTopic),
      acks: -1,
      messages: [
        {
          key: e.signature,
          value: Buffer.from(e.line, 'utf8'),
          headers: {
            [DLQ_HEADERS.reason]: `${e.message} (transaction ${e.signature}, log line ${e.logIndex}, slot ${e.slot})`,
            [DLQ_HEADERS.code]: e.code,
            [DLQ_HEADERS.sourceTopic]: 'yellowstone',
            [DLQ_HEADERS.consumerGroup]: `ingest:${this.opts.name}`,
            [DLQ_HEADERS.failedAt]: new Date().toISOString(),
          },
        },
      ],
    });
    this.opts.metrics?.deadLetters.inc({ code: e.code });
    this.log.warn(`undecodable program event in ${e.signature} (${e.code}): ${e.message}`);
  }
}
