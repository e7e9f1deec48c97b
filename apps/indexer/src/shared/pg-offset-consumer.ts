import { Logger } from '@nestjs/common';
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import type { Pool, PoolClient } from 'pg';

/**
 * A Kafka consumer whose progress lives in PostgreSQL (table consumer_offsets), written in the SAME
 * transaction as the effects of the records it consumed:
 *
 *   BEGIN; SELECT next_offset … FOR UPDATE; apply(records at or after it); UPDATE next_offset; COMMIT
 *
 * A crash (kill -9) anywhere before COMMIT leaves neither effects nor progress; after COMMIT both are
 * there. On restart or rebalance the member seeks every assigned partition to the stored offset,
 * and, whatever Kafka delivers, records below the stored offset are skipped inside the locked
 * transaction — so a stale member after a rebalance, or a fetch that raced the seek, cannot apply a
 * record twice. Kafka's own committed offsets are written after COMMIT for lag monitoring only.
 *
 * Group commit: the partitions of one fetch are handed over together (partitionsConsumedConcurrently)
 * and applied in ONE transaction, partition after partition, each in offset order, with every
 * partition's next offset written in that same transaction. A fetch usually holds a few records of
 * each partition, so this takes a transaction's fixed cost (BEGIN, lock, offset rows, COMMIT) once
 * per fetch instead of once per partition (a group holds at most maxRecordsPerTransaction records,
 * more batches go in the next one). A failure rolls the whole group back and every partition of it
 * retries (alone or with others) after its backoff.
 */
export interface PgOffsetConsumerOptions {
  kafka: Kafka;
  pool: Pool;
  groupId: string;
  topic: string;
  /**
   * Applies the partition batches of one transaction (each partition's records in offset order)
   * inside the open transaction. Must not commit. Throwing rolls the transaction back and retries
   * its batches after a backoff (transient failures); records that can never apply must be handled
   * (dead-lettered) inside, not thrown.
   */
  apply: (client: PoolClient, batches: { partition: number; messages: KafkaMessage[] }[]) => Promise<void>;
  /** Called after each durable commit (metrics, waking the outbox relay). */
  afterCommit?: (info: {
    partition: number;
    count: number;
    nextOffset: string;
    ms: number;
    highWatermark: string;
  }) => void;
  /** A transaction-scoped advisory lock every batch takes first (serializes writers of this schema); optional. */
  serializeKey?: string;
  maxBytesPerPartition?: number;
  maxBackoffMs?: number;
  sessionTimeoutMs?: number;
  /** Partitions of one fetch applied together in one transaction (default 16). */
  partitionsPerTransaction?: number;
  /**
   * A group transaction takes whole partition batches up to this many records (default 2000; one
   * batch may be larger), so that the projector lock is held for a bounded time after a backlog.
   */
  maxRecordsPerTransaction?: number;
}

/** A partition's batch waiting for the next group transaction. */
interface Pending {
  partition: number;
  messages: KafkaMessage[];
  done: (r: { ok: true; next: string | 'seek' } | { ok: false; error: unknown }) => void;
}

export class PgOffsetConsumer {
  private consumer?: Consumer;
  private readonly log: Logger;
  private stopping = false;
  /** Committed transactions and the partition batches they applied (for benchmarks and logs). */
  transactions = 0;
  partitionBatches = 0;
  private pending: Pending[] = [];
  private flushScheduled = false;
  /** The group transaction in flight (one at a time). */
  private flushing: Promise<void> = Promise.resolve();

  constructor(private readonly opts: PgOffsetConsumerOptions) {
    this.log = new Logger(`pg-consumer:${opts.groupId}`);
  }

  async start(): Promise<void> {
    const { kafka, groupId, topic } = this.opts;
    const consumer = kafka.consumer({
      groupId,
      allowAutoTopicCreation: false,
      sessionTimeout: this.opts.sessionTimeoutMs ?? 10000,
      heartbeatInterval: 1000,
      maxBytesPerPartition: this.opts.maxBytesPerPartition ?? 1 << 20,
      retry: { retries: 10 },
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, (e) => {
      const assigned = e.payload.memberAssignment[topic] ?? [];
      void this.seekToStored(assigned).catch((err: unknown) =>
        this.log.error(`seek after join failed: ${String(err)}`),
      );
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      partitionsConsumedConcurrently: this.opts.partitionsPerTransaction ?? 16,
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: (payload) => this.handleBatch(payload),
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.consumer?.disconnect();
  }

  private async storedOffsets(partitions: number[]): Promise<Map<number, string>> {
    const { rows } = await this.opts.pool.query<{ partition: number; next_offset: string }>(
      `SELECT partition, next_offset::text FROM consumer_offsets WHERE consumer_group = $1 AND topic = $2 AND partition = ANY($3::int[])`,
      [this.opts.groupId, this.opts.topic, partitions],
    );
    return new Map(rows.map((r) => [r.partition, r.next_offset]));
  }

  private async seekToStored(partitions: number[]): Promise<void> {
    const stored = await this.storedOffsets(partitions);
    for (const [partition, offset] of stored)
      this.consumer?.seek({ topic: this.opts.topic, partition, offset });
  }

  private async handleBatch({
    batch,
    heartbeat,
    isRunning,
    isStale,
    resolveOffset,
  }: EachBatchPayload): Promise<void> {
    if (batch.messages.length === 0) return;
    const maxBackoff = this.opts.maxBackoffMs ?? 5000;
    for (let attempt = 1; ; attempt++) {
      if (!isRunning() || isStale()) return;
      const started = Date.now();
      try {
        const next = await this.enqueue(batch.partition, batch.messages);
        if (next === 'seek') return;
        for (const m of batch.messages) resolveOffset(m.offset);
        this.opts.afterCommit?.({
          partition: batch.partition,
          count: batch.messages.length,
          nextOffset: next,
          ms: Date.now() - started,
          highWatermark: batch.highWatermark,
        });
        // Informational only (lag dashboards): PostgreSQL holds the real progress, so the next batch
        // does not wait for this broker round trip.
        void this.consumer
          ?.commitOffsets([{ topic: this.opts.topic, partition: batch.partition, offset: next }])
          .catch(() => undefined);
        await heartbeat().catch(() => undefined);
        return;
      } catch (e) {
        if (this.stopping) return;
        const backoff = Math.min(maxBackoff, 100 * 2 ** Math.min(attempt, 10));
        this.log.error(
          `batch ${this.opts.topic}/${batch.partition}@${batch.firstOffset()} failed (attempt ${attempt}), retrying in ${backoff} ms: ${
            e instanceof Error ? e.message : String(e)
          }`,
        );
        await new Promise((r) => setTimeout(r, backoff));
        await heartbeat().catch(() => undefined);
      }
    }
  }

  /**
   * Queues a partition's batch for the next group transaction; resolves with its new next offset
   * (or 'seek') once that transaction committed, rejects if it failed.
   */
  private enqueue(partition: number, messages: KafkaMessage[]): Promise<string | 'seek'> {
    return new Promise((resolve, reject) => {
      this.pending.push({
        partition,
        messages,
        done: (r) => (r.ok ? resolve(r.next) : reject(r.error)),
      });
      if (this.flushScheduled) return;
      this.flushScheduled = true;
      // The other partitions of the same fetch arrive in this turn of the event loop.
      setImmediate(() => {
        this.flushScheduled = false;
        this.flushing = this.flushing.then(() => this.flush());
      });
    });
  }

  private async flush(): Promise<void> {
    // Whole partition batches up to maxRecordsPerTransaction (at least one batch); the rest follows
    // in the next transaction.
    const cap = this.opts.maxRecordsPerTransaction ?? 2000;
    let n = 0;
    let take = 0;
    while (take < this.pending.length && (take === 0 || n + this.pending[take]!.messages.length <= cap))
      n += this.pending[take++]!.messages.length;
    const group = this.pending.slice(0, take);
    this.pending = this.pending.slice(take);
    if (this.pending.length > 0) this.flushing = this.flushing.then(() => this.flush());
    if (group.length === 0) return;
    try {
      const results = await this.transact(group);
      group.forEach((g, i) => g.done({ ok: true, next: results[i]! }));
    } catch (error) {
      for (const g of group) g.done({ ok: false, error });
    }
  }

  /**
   * One transaction for several partitions (each appears once: kafkajs hands out one batch per
   * partition at a time): returns each partition's new next offset, or 'seek' when Kafka delivered
   * past its stored offset (that partition is left out of the transaction and sought back).
   */
  private async transact(group: Pending[]): Promise<(string | 'seek')[]> {
    const client = await this.opts.pool.connect();
    // A connection that dies between statements (PostgreSQL restart) must fail this attempt, not
    // the process: the error surfaces through the next query and the batches are retried.
    const onError = (): void => undefined;
    client.on('error', onError);
    let broken = false;
    try {
      // One round trip each: BEGIN with the advisory lock (simple protocol, the key as a literal);
      // the offset rows created if missing and locked (ON CONFLICT DO UPDATE locks like FOR UPDATE).
      await client.query(
        this.opts.serializeKey === undefined
          ? 'BEGIN'
          : `BEGIN; SELECT pg_advisory_xact_lock(hashtext(${client.escapeLiteral(this.opts.serializeKey)}), hashtext(current_schema()))`,
      );
      const { rows } = await client.query<{ partition: number; next_offset: string }>(
        `INSERT INTO consumer_offsets (consumer_group, topic, partition, next_offset)
         SELECT $1, $2, p, 0 FROM unnest($3::int[]) AS p
         ON CONFLICT (consumer_group, topic, partition) DO UPDATE SET next_offset = consumer_offsets.next_offset
         RETURNING partition, next_offset::text`,
        [this.opts.groupId, this.opts.topic, group.map((g) => g.partition)],
      );
      const storedOf = new Map(rows.map((r) => [r.partition, BigInt(r.next_offset)]));
      const results: (string | 'seek')[] = [];
      const seeks: { partition: number; offset: string }[] = [];
      const moved: { partition: number; next: string }[] = [];
      const work: { partition: number; messages: KafkaMessage[] }[] = [];
      for (const g of group) {
        const stored = storedOf.get(g.partition) ?? 0n;
        const fresh = g.messages.filter((m) => BigInt(m.offset) >= stored);
        const first = fresh[0];
        if (first && BigInt(first.offset) > stored && stored > 0n) {
          // Kafka is ahead of what PostgreSQL has applied (a fetch that raced the seek): go back.
          seeks.push({ partition: g.partition, offset: stored.toString() });
          results.push('seek');
          continue;
        }
        if (fresh.length > 0) work.push({ partition: g.partition, messages: fresh });
        const last = g.messages[g.messages.length - 1]!;
        const next = (BigInt(last.offset) + 1n > stored ? BigInt(last.offset) + 1n : stored).toString();
        moved.push({ partition: g.partition, next });
        results.push(next);
      }
      if (work.length > 0) await this.opts.apply(client, work);
      if (moved.length > 0)
        await client.query(
          `UPDATE consumer_offsets o SET next_offset = x.next, updated_at = now()
             FROM unnest($3::int[], $4::bigint[]) AS x(partition, next)
            WHERE o.consumer_group = $1 AND o.topic = $2 AND o.partition = x.partition`,
          [this.opts.groupId, this.opts.topic, moved.map((m) => m.partition), moved.map((m) => m.next)],
        );
      await client.query('COMMIT');
      this.transactions++;
      this.partitionBatches += moved.length;
      for (const s of seeks) this.consumer?.seek({ topic: this.opts.topic, ...s });
      return results;
    } catch (e) {
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      throw e;
    } finally {
      client.off('error', onError);
      client.release(broken);
    }
  }
}
