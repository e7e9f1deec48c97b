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
 */
export interface PgOffsetConsumerOptions {
  kafka: Kafka;
  pool: Pool;
  groupId: string;
  topic: string;
  /**
   * Applies the records (one partition, offset order) inside the open transaction. Must not commit.
   * Throwing rolls the batch back and retries it after a backoff (transient failures); records that
   * can never apply must be handled (dead-lettered) inside, not thrown.
   */
  apply: (client: PoolClient, messages: KafkaMessage[], partition: number) => Promise<void>;
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
}

export class PgOffsetConsumer {
  private consumer?: Consumer;
  private readonly log: Logger;
  private stopping = false;

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
        const next = await this.applyOnce(batch.partition, batch.messages);
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

  /** One transaction: returns the new next offset, or 'seek' when Kafka delivered past the stored offset. */
  private async applyOnce(partition: number, all: KafkaMessage[]): Promise<string | 'seek'> {
    const client = await this.opts.pool.connect();
    // A connection that dies between statements (PostgreSQL restart) must fail this attempt, not
    // the process: the error surfaces through the next query and the batch is retried.
    const onError = (): void => undefined;
    client.on('error', onError);
    let broken = false;
    try {
      // One round trip each: BEGIN with the advisory lock (simple protocol, the key as a literal);
      // the offset row created if missing and locked (ON CONFLICT DO UPDATE locks it like FOR UPDATE).
      await client.query(
        this.opts.serializeKey === undefined
          ? 'BEGIN'
          : `BEGIN; SELECT pg_advisory_xact_lock(hashtext(${client.escapeLiteral(this.opts.serializeKey)}), hashtext(current_schema()))`,
      );
      const { rows } = await client.query<{ next_offset: string }>(
        `INSERT INTO consumer_offsets (consumer_group, topic, partition, next_offset) VALUES ($1, $2, $3, 0)
         ON CONFLICT (consumer_group, topic, partition) DO UPDATE SET next_offset = consumer_offsets.next_offset
         RETURNING next_offset::text`,
        [this.opts.groupId, this.opts.topic, partition],
      );
      const stored = BigInt(rows[0]!.next_offset);
      const fresh = all.filter((m) => BigInt(m.offset) >= stored);
      const first = fresh[0];
      if (first && BigInt(first.offset) > stored && stored > 0n) {
        // Kafka is ahead of what PostgreSQL has applied (a fetch that raced the seek): go back.
        await client.query('ROLLBACK');
        this.consumer?.seek({ topic: this.opts.topic, partition, offset: stored.toString() });
        return 'seek';
      }
      if (fresh.length > 0) await this.opts.apply(client, fresh, partition);
      const last = all[all.length - 1]!;
      const next = (BigInt(last.offset) + 1n > stored ? BigInt(last.offset) + 1n : stored).toString();
      await client.query(
        `UPDATE consumer_offsets SET next_offset = $4, updated_at = now() WHERE consumer_group = $1 AND topic = $2 AND partition = $3`,
        [this.opts.groupId, this.opts.topic, partition, next],
      );
      await client.query('COMMIT');
      return next;
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
