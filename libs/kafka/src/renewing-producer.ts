import { Logger } from '@nestjs/common';
import type {
  InstrumentationEvent,
  Producer,
  ProducerBatch,
  ProducerEvents,
  ProducerRecord,
  RecordMetadata,
  Transaction,
} from 'kafkajs';

type ProducerEvent = ProducerEvents[keyof ProducerEvents];

/**
 * Broker answers after which an idempotent producer can never send again under its producer id:
 * kafkajs treats them as non-retriable, keeps its producer id, epoch and sequence numbers, and every
 * later send fails the same way (after a broker crash we saw a relay retry OUT_OF_ORDER_SEQUENCE_NUMBER
 * every 500 ms until the test's 240 s deadline). Only a new producer id (InitProducerId, which
 * kafkajs sends on connect) gets past them.
 * - OUT_OF_ORDER_SEQUENCE_NUMBER (45): the broker's last sequence for this producer id and
 *   partition is not the one before ours, e.g. it lost records of a request in flight in a crash.
 * - UNKNOWN_PRODUCER_ID (59): the broker no longer knows the producer id (its records were deleted).
 * - INVALID_PRODUCER_EPOCH (47): the epoch is older than the broker's for this producer id.
 */
export const RENEWING_ERRORS = [
  'OUT_OF_ORDER_SEQUENCE_NUMBER',
  'UNKNOWN_PRODUCER_ID',
  'INVALID_PRODUCER_EPOCH',
] as const;
export type RenewReason = (typeof RENEWING_ERRORS)[number];

/** The broker error type behind `e` (kafkajs may wrap it in `cause`) if a new producer id cures it. */
export function renewReasonOf(e: unknown): RenewReason | undefined {
  for (let err = e, depth = 0; err && depth < 5; depth++) {
    const type = (err as { type?: unknown }).type;
    if ((RENEWING_ERRORS as readonly unknown[]).includes(type)) return type as RenewReason;
    err = (err as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Renewals one send may trigger before its error goes to the caller (a new id is accepted at once). */
const MAX_RENEWALS_PER_SEND = 3;

// kafkajs types its listeners' events with `any` payloads
type Listener = (event: InstrumentationEvent<any>) => void;

/**
 * A kafkajs Producer (the same interface) over an idempotent producer that it replaces with a new
 * one, with a new producer id, when the broker answers one of RENEWING_ERRORS; the failed send is
 * then sent again through the new producer, so the caller sees it succeed.
 *
 * CONSEQUENCE: a record may be written twice. The broker rejected the failed request for (at least)
 * one partition, but it may have kept records of that request for other partitions, or of an
 * earlier attempt of it before the crash; sent again under a new producer id, the broker cannot
 * recognise them as duplicates. A caller that sends one request at a time (the outbox relay, the
 * chain publisher) keeps its order for first occurrences (the resend comes after what the broker
 * already has); concurrent sends to one partition may be reordered by a renewal. Our consumers
 * tolerate duplicates (ARCHITECTURE.md: delivery is at-least-once, every write is idempotent or
 * guarded by a sequence): chain updates carry slot, signature and write version and the
 * projector's writes are idempotent (ON CONFLICT, newest write wins; its e2e replays records);
 * leaf changes carry a per-track change seq the tree writer skips when already applied; roots carry
 * (track, seq) and the root publisher skips a seq the chain has; proof results carry the job id,
 * by which their consumers dedupe. Dead-letter records are for operators: a duplicate there is a
 * second copy of the same report.
 *
 * Concurrency: sends that fail during one renewal share it (one new producer, not one each); sends
 * that start while a renewal connects the new producer wait for it. The replaced producer is
 * disconnected once its in-flight sends settled (they are sent again through the new one), or at
 * once by disconnect(). disconnect() during a renewal waits for it and disconnects the new producer
 * too, so no producer (no connection) outlives it.
 */
export class RenewingProducer implements Producer {
  private readonly log = new Logger('kafka-producer');
  private inner: Producer;
  /** Incremented by each renewal: a send that failed on an older generation just sends again. */
  private generation = 0;
  private wanted: 'connected' | 'disconnected' = 'disconnected';
  /** Set while a new producer is being connected. */
  private renewing?: Promise<void>;
  /** Sends in flight per producer (replaced producers are disconnected when theirs settled). */
  private readonly inflight = new Map<Producer, Set<Promise<unknown>>>();
  /** Replaced producers not disconnected yet. */
  private readonly retiring = new Set<Producer>();
  private readonly listeners: {
    event: ProducerEvent;
    listener: Listener;
    removers: Map<Producer, () => void>;
  }[] = [];
  /** New producers put in place so far. */
  renewals = 0;

  constructor(
    private readonly make: () => Producer,
    private readonly opts: { onRenewal?: (reason: RenewReason) => void } = {},
  ) {
    this.inner = make();
  }

  get events(): ProducerEvents {
    return this.inner.events;
  }

  isIdempotent(): boolean {
    return true;
  }

  logger(): ReturnType<Producer['logger']> {
    return this.inner.logger();
  }

  transaction(): Promise<Transaction> {
    return Promise.reject(
      new Error('the idempotent producer has no transactional id: transactions are not supported'),
    );
  }

  on(eventName: ProducerEvent, listener: Listener): () => void {
    const entry = { event: eventName, listener, removers: new Map<Producer, () => void>() };
    this.listeners.push(entry);
    entry.removers.set(this.inner, this.inner.on(eventName, listener));
    return () => {
      for (const remove of entry.removers.values()) remove();
      entry.removers.clear();
      const i = this.listeners.indexOf(entry);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  async connect(): Promise<void> {
    this.wanted = 'connected';
    await this.inner.connect();
  }

  async disconnect(): Promise<void> {
    this.wanted = 'disconnected';
    await this.renewing?.catch(() => undefined);
    await Promise.all([...this.retiring, this.inner].map((p) => this.close(p)));
  }

  send(record: ProducerRecord): Promise<RecordMetadata[]> {
    return this.withRenewal((p) => p.send(record));
  }

  sendBatch(batch: ProducerBatch): Promise<RecordMetadata[]> {
    return this.withRenewal((p) => p.sendBatch(batch));
  }

  private async withRenewal(fn: (p: Producer) => Promise<RecordMetadata[]>): Promise<RecordMetadata[]> {
    for (let renewals = 0; ; renewals++) {
      await this.renewing?.catch(() => undefined);
      const generation = this.generation;
      const p = this.inner;
      const sending = fn(p);
      this.track(p, sending);
      try {
        return await sending;
      } catch (e) {
        const reason = renewReasonOf(e);
        if (!reason || renewals >= MAX_RENEWALS_PER_SEND || this.wanted !== 'connected') throw e;
        if (generation === this.generation) {
          this.renewing ??= this.renew(reason).finally(() => (this.renewing = undefined));
          try {
            await this.renewing;
          } catch (connectError) {
            this.log.error(
              `idempotent producer: no new producer after ${reason} (${String(connectError)}); the send fails with ${reason}`,
            );
            throw e;
          }
        }
      }
    }
  }

  private async renew(reason: RenewReason): Promise<void> {
    const fresh = this.make();
    for (const l of this.listeners) l.removers.set(fresh, fresh.on(l.event, l.listener));
    try {
      await fresh.connect();
      if (this.wanted !== 'connected') throw new Error('the producer was disconnected during the renewal');
    } catch (e) {
      await this.close(fresh);
      throw e;
    }
    const stale = this.inner;
    this.inner = fresh;
    this.generation++;
    this.renewals++;
    this.log.warn(
      `idempotent producer: the broker answered ${reason}, which kafkajs cannot get past with this producer id; ` +
        'sending through a new producer (new producer id). Records the broker kept of the failed request may be written twice (consumers dedupe).',
    );
    this.opts.onRenewal?.(reason);
    this.retiring.add(stale);
    void Promise.allSettled([...(this.inflight.get(stale) ?? [])]).then(() => this.close(stale));
  }

  private track(p: Producer, sending: Promise<unknown>): void {
    let set = this.inflight.get(p);
    if (!set) this.inflight.set(p, (set = new Set()));
    set.add(sending);
    const done = () => {
      set.delete(sending);
      if (set.size === 0 && this.inflight.get(p) === set) this.inflight.delete(p);
    };
    sending.then(done, done);
  }

  /** Disconnects `p` (errors ignored: it is being dropped) and forgets its listeners. */
  private async close(p: Producer): Promise<void> {
    await p.disconnect().catch(() => undefined);
    this.retiring.delete(p);
    if (p === this.inner) return; // kept for a reconnect
    for (const l of this.listeners) {
      l.removers.get(p)?.();
      l.removers.delete(p);
    }
  }
}
