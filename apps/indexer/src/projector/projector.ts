import { Logger } from '@nestjs/common';
import type { Kafka, Producer } from 'kafkajs';
import type { Pool } from 'pg';
import { OutboxRelay } from '../shared/outbox';
import { PgOffsetConsumer } from '../shared/pg-offset-consumer';
import { ProjectChainUpdates, type ProjectorTopics } from './project-chain-updates';
import type { ProjectorMetrics } from './projector-metrics';

export interface ProjectorOptions {
  kafka: Kafka;
  /** The outbox relay's producer: from createIdempotentProducer (@rv/kafka), which survives a broker crash. */
  producer: Producer;
  pool: Pool;
  groupId: string;
  topics: ProjectorTopics;
  metrics?: ProjectorMetrics;
  /** Run the outbox relay in this process (default true). */
  relay?: boolean;
}

/**
 * WHY offsets in PostgreSQL + a transactional outbox (and not Kafka transactions):
 * the projector's effects live in PostgreSQL. Kafka transactions make "consume → produce" atomic
 * inside Kafka, but cannot include a PostgreSQL commit: a crash between the database COMMIT and the
 * Kafka commit would still apply a batch twice or lose its leaf changes. Keeping the consumed
 * offsets in consumer_offsets and the outgoing leaf changes in indexer_outbox, both written in the
 * SAME PostgreSQL transaction as the projections, gives one atomic commit point: after a kill -9
 * either everything of the batch is there (and it is never re-applied: the stored offset skips it)
 * or nothing is (and it is re-applied from Kafka). The relay publishes the outbox in order after
 * the commit; its only failure mode is publishing a row twice, which downstream removes by the
 * per-track change seq. It also costs one broker round trip per relay batch, not per record.
 *
 * Every batch takes one transaction-scoped advisory lock, so projector transactions (also of
 * several processes) commit one after another: the leaf rule reads rows that another partition's
 * records write (identity vs holding vs track), per-track change seqs must follow commit order, and
 * outbox ids must commit in id order for the relay to never skip a row.
 */
export const PROJECTOR_LOCK = 'rv-indexer-projector';

export class Projector {
  private readonly log = new Logger('projector');
  readonly relay: OutboxRelay;
  private readonly consumer: PgOffsetConsumer;
  readonly useCase: ProjectChainUpdates;

  constructor(private readonly opts: ProjectorOptions) {
    this.useCase = new ProjectChainUpdates({
      topics: opts.topics,
      consumerGroup: opts.groupId,
      metrics: opts.metrics,
    });
    this.relay = new OutboxRelay(opts.pool, opts.producer, {
      onSent: () => undefined,
    });
    this.consumer = new PgOffsetConsumer({
      kafka: opts.kafka,
      pool: opts.pool,
      groupId: opts.groupId,
      topic: opts.topics.chainUpdates,
      serializeKey: PROJECTOR_LOCK,
      apply: (client, batches) => this.useCase.apply(client, batches),
      afterCommit: ({ partition, count, ms, nextOffset, highWatermark }) => {
        this.opts.metrics?.batchSize.observe(count);
        this.opts.metrics?.batchSeconds.observe(ms / 1000);
        this.opts.metrics?.consumerLag.set(
          { partition: String(partition) },
          Math.max(0, Number(BigInt(highWatermark) - BigInt(nextOffset))),
        );
        this.relay.nudge();
      },
    });
  }

  async start(): Promise<void> {
    if (this.opts.relay !== false) this.relay.start();
    await this.consumer.start();
    this.log.log(`projecting ${this.opts.topics.chainUpdates} as ${this.opts.groupId}`);
  }

  async stop(): Promise<void> {
    await this.consumer.stop();
    await this.relay.stop();
  }
}
