import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import bs58 from 'bs58';
import { ConfigService } from '@rv/config';
import { fieldToHex } from '@rv/crypto';
import { leafChangeCodec, rootRecordCodec, rootRecordKey } from '@rv/events';
import { ConsumedMessage, DLQ_HEADERS, dlqTopicOf, KafkaService } from '@rv/kafka';
import { MetricsService } from '@rv/observability';
import type { RegistryConfig } from '../registry.config';
import { ApplyLeafChanges, InvalidBatchError, type ChangeLogRecord } from '../trees/apply-leaf-changes';
import type { TreeState } from '../trees/tree-records';

/**
 * Tree writer over Kafka: consumes rv.registry.leaf-changes.v1 (keyed by track, so one track's
 * changes arrive in order on one partition), applies each track's records of a fetched batch as
 * ONE transaction (the change_seq guard makes redelivery a no-op), then publishes the tree's
 * root to rv.registry.roots.v1 (also after a no-op redelivery: publishing is idempotent, keyed
 * by track, consumers dedupe by seq). Offsets commit only after that. Undecodable records and
 * records that can never apply go to `<topic>.dlq` with the reason; a gap in change seq is
 * retried (and logged as an error), never skipped.
 */
@Injectable()
export class LeafChangesConsumer implements OnApplicationBootstrap {
  private readonly log = new Logger('TreeWriter');
  private readonly batchChanges;
  private readonly batchSeconds;
  private readonly deadLetters;

  constructor(
    private readonly kafka: KafkaService,
    private readonly writer: ApplyLeafChanges,
    private readonly config: ConfigService<RegistryConfig>,
    metrics: MetricsService,
  ) {
    this.batchChanges = metrics.histogram(
      'registry_tree_batch_changes',
      'Leaf changes per applied tree batch',
      [],
      [1, 10, 100, 1000, 10000],
    );
    this.batchSeconds = metrics.histogram(
      'registry_tree_batch_duration_seconds',
      'Time to apply one tree batch (one transaction)',
      [],
      [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
    );
    this.deadLetters = metrics.counter(
      'registry_dead_letters_total',
      'Leaf-change records sent to the dead-letter topic',
      ['code'],
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.get('TREE_WRITER_ENABLED')) return;
    const topic = this.config.get('LEAF_CHANGES_TOPIC');
    await this.kafka.ensureTopics([
      { topic, numPartitions: 6 },
      { topic: dlqTopicOf(topic), numPartitions: 1 },
      { topic: this.config.get('ROOTS_TOPIC'), numPartitions: 6 },
    ]);
    await this.kafka.consume({
      groupId: this.config.get('TREE_WRITER_GROUP'),
      topics: [topic],
      fromBeginning: true,
      handleBatch: (messages) => this.handleBatch(messages),
    });
  }

  async handleBatch(messages: ConsumedMessage[]): Promise<void> {
    const byTrack = new Map<bigint, { record: ChangeLogRecord; message: ConsumedMessage }[]>();
    for (const m of messages) {
      const decoded = leafChangeCodec.decode(m.value);
      if (!decoded.ok) {
        await this.deadLetter(m, `${decoded.error.code}: ${decoded.error.message}`, decoded.error.code);
        continue;
      }
      const v = decoded.value;
      const record: ChangeLogRecord = {
        changeSeq: v.changeSeq,
        op: v.op,
        leaf: BigInt(v.leaf),
        depth: v.depth,
        slot: v.slot,
        tokenId: Buffer.from(bs58.decode(v.mint)),
      };
      const list = byTrack.get(v.trackId) ?? [];
      list.push({ record, message: m });
      byTrack.set(v.trackId, list);
    }
    for (const [trackId, items] of byTrack) {
      let tree: TreeState;
      const stop = this.batchSeconds.startTimer();
      try {
        tree = (
          await this.writer.applyChangeLog(
            trackId,
            items.map((i) => i.record),
          )
        ).tree;
        stop();
        this.batchChanges.observe(items.length);
      } catch (e) {
        if (!(e instanceof InvalidBatchError)) throw e;
        // Find the record(s) that can never apply: one at a time; those are dead-lettered and
        // consumed as empty changes so the ones after them still apply in order.
        tree = await this.applyOneByOne(trackId, items);
      }
      await this.publishRoot(tree);
    }
  }

  private async applyOneByOne(
    trackId: bigint,
    items: { record: ChangeLogRecord; message: ConsumedMessage }[],
  ): Promise<TreeState> {
    let tree: TreeState | undefined;
    for (const { record, message } of items) {
      try {
        tree = (await this.writer.applyChangeLog(trackId, [record])).tree;
      } catch (e) {
        if (!(e instanceof InvalidBatchError)) throw e;
        await this.deadLetter(message, e.message, 'invalid_change');
        tree = (await this.writer.applyChangeLog(trackId, [record], { consumeWithoutEffect: true })).tree;
      }
    }
    return tree as TreeState;
  }

  private async publishRoot(tree: TreeState): Promise<void> {
    const record = {
      trackId: tree.trackId,
      seq: BigInt(tree.seq),
      root: fieldToHex(tree.root),
      leafCount: BigInt(tree.leafCount),
      slot: tree.slot,
      changeSeq: tree.changeSeq,
    };
    await this.kafka.send(this.config.get('ROOTS_TOPIC'), [
      { key: rootRecordKey(record), value: rootRecordCodec.encode(record) },
    ]);
  }

  private async deadLetter(m: ConsumedMessage, reason: string, code: string): Promise<void> {
    await this.kafka.send(dlqTopicOf(m.topic), [
      {
        key: m.key,
        value: m.value,
        headers: {
          ...m.headers,
          [DLQ_HEADERS.reason]: reason,
          [DLQ_HEADERS.code]: code,
          [DLQ_HEADERS.sourceTopic]: m.topic,
          [DLQ_HEADERS.sourcePartition]: String(m.partition),
          [DLQ_HEADERS.sourceOffset]: m.offset,
          [DLQ_HEADERS.consumerGroup]: this.config.get('TREE_WRITER_GROUP'),
          [DLQ_HEADERS.failedAt]: new Date().toISOString(),
        },
      },
    ]);
    this.deadLetters.inc({ code });
    this.log.warn(`dead-lettered ${m.topic}/${m.partition}@${m.offset}: ${reason}`);
  }
}
