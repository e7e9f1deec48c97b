import { Logger } from '@nestjs/common';
import type { Consumer, IHeaders, Kafka, KafkaMessage, Producer } from 'kafkajs';
import { DLQ_HEADERS, dlqTopicOf, PoisonMessageError } from './dead-letter';

export interface ConsumedMessage {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: IHeaders;
  timestamp: string;
}

export interface ConsumerOptions {
  kafka: Kafka;
  /** Used to dead-letter poison messages (an idempotent producer). */
  producer: Producer;
  groupId: string;
  topics: string[];
  fromBeginning?: boolean;
  /**
   * Handles one batch of one partition, in offset order. When it resolves, its work must be durable:
   * only then are the offsets committed. It may throw PoisonMessageError only through `each` (see
   * below); any other error retries the whole batch after a backoff, committing nothing.
   */
  handleBatch?: (messages: ConsumedMessage[]) => Promise<void>;
  /** Handles one message; a PoisonMessageError sends it to `<topic>.dlq` and the partition moves on. */
  each?: (message: ConsumedMessage) => Promise<void>;
  /** Called for each dead-lettered message (metrics). */
  onDeadLetter?: (m: ConsumedMessage, reason: string) => void;
  maxBackoffMs?: number;
}

export interface RunningConsumer {
  consumer: Consumer;
  /** Stops fetching, lets the in-flight batch finish and commit, then disconnects. */
  stop(): Promise<void>;
}

const toConsumed = (topic: string, partition: number, m: KafkaMessage): ConsumedMessage => ({
  topic,
  partition,
  offset: m.offset,
  key: m.key,
  value: m.value,
  headers: m.headers ?? {},
  timestamp: m.timestamp,
});

/**
 * Runs a consumer group member whose offsets are committed only after the handler's work is
 * durable (at-least-once; handlers are idempotent). Poison messages go to the dead-letter topic
 * with the reason in headers; transient failures are retried with backoff, never skipped.
 */
export async function runConsumer(opts: ConsumerOptions): Promise<RunningConsumer> {
  if (!opts.handleBatch === !opts.each)
    throw new Error('runConsumer: give exactly one of handleBatch or each');
  const log = new Logger(`consumer:${opts.groupId}`);
  const consumer = opts.kafka.consumer({
    groupId: opts.groupId,
    allowAutoTopicCreation: false,
    retry: { retries: 10 },
  });
  await consumer.connect();
  await consumer.subscribe({ topics: opts.topics, fromBeginning: opts.fromBeginning ?? true });
  let stopping = false;
  const maxBackoff = opts.maxBackoffMs ?? 5000;

  const deadLetter = async (m: ConsumedMessage, err: PoisonMessageError) => {
    await opts.producer.send({
      topic: dlqTopicOf(m.topic),
      acks: -1,
      messages: [
        {
          key: m.key,
          value: m.value,
          headers: {
            ...m.headers,
            [DLQ_HEADERS.reason]: err.reason,
            [DLQ_HEADERS.code]: err.code,
            [DLQ_HEADERS.sourceTopic]: m.topic,
            [DLQ_HEADERS.sourcePartition]: String(m.partition),
            [DLQ_HEADERS.sourceOffset]: m.offset,
            [DLQ_HEADERS.consumerGroup]: opts.groupId,
            [DLQ_HEADERS.failedAt]: new Date().toISOString(),
          },
        },
      ],
    });
    log.warn(`dead-lettered ${m.topic}/${m.partition}@${m.offset}: ${err.reason}`);
    opts.onDeadLetter?.(m, err.reason);
  };

  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale, commitOffsetsIfNecessary }) => {
      // The batch's own commit works while the consumer is stopping (consumer.commitOffsets does not),
      // so an in-flight batch that finishes during a graceful stop still gets committed.
      const commit = (offset: string) =>
        commitOffsetsIfNecessary({
          topics: [
            {
              topic: batch.topic,
              partitions: [{ partition: batch.partition, offset: (BigInt(offset) + 1n).toString() }],
            },
          ],
        });
      const messages = batch.messages.map((m) => toConsumed(batch.topic, batch.partition, m));
      if (messages.length === 0) return;
      for (let attempt = 1; ; attempt++) {
        if (!isRunning() || isStale()) return;
        try {
          if (opts.handleBatch) {
            await opts.handleBatch(messages);
          } else {
            for (const m of messages) {
              if (!isRunning() || isStale()) return;
              try {
                await opts.each!(m);
              } catch (e) {
                if (!(e instanceof PoisonMessageError)) throw e;
                await deadLetter(m, e);
              }
              resolveOffset(m.offset);
              await commit(m.offset);
              await heartbeat();
            }
          }
          break;
        } catch (e) {
          if (stopping) throw e;
          const backoff = Math.min(maxBackoff, 100 * 2 ** Math.min(attempt, 10));
          log.error(
            `batch ${batch.topic}/${batch.partition} failed (attempt ${attempt}), retrying in ${backoff} ms: ${
              e instanceof Error ? e.message : String(e)
            }`,
          );
          await new Promise((r) => setTimeout(r, backoff));
          await heartbeat().catch(() => undefined);
        }
      }
      if (opts.handleBatch) {
        const last = messages[messages.length - 1]!;
        resolveOffset(last.offset);
        await commit(last.offset);
      }
    },
  });

  return {
    consumer,
    stop: async () => {
      stopping = true;
      await consumer.disconnect();
    },
  };
}
