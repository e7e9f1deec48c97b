import { Logger } from '@nestjs/common';
import { rootRecordCodec, type RootRecord } from '@rv/events';
import { DLQ_HEADERS, dlqTopicOf, type ConsumedMessage } from '@rv/kafka';
import type { PublishRoots, RecordOutcome, SkipReason } from './publish-roots';
import { ChainFailure } from './solana-root-chain';

export interface RootPublisherSink {
  /** Sends dead letters (acks=all). */
  send(
    topic: string,
    messages: { key: Buffer | null; value: Buffer | null; headers: Record<string, string | Buffer> }[],
  ): Promise<void>;
}

/** Submissions are counted by PublishRoots' hook as they land (a retried batch then skips them). */
export interface RootPublisherEvents {
  onSkipped?: (reason: SkipReason) => void;
  /** A batch attempt failed (it will be retried): ChainFailure reason, or 'internal'. */
  onFailure?: (reason: string) => void;
  onDeadLetter?: (code: string) => void;
}

/**
 * The Kafka side of the root publisher: decodes a batch of rv.registry.roots.v1 records (one
 * partition, offset order), lets PublishRoots put them on chain, dead-letters what can never be
 * published (undecodable record, unknown track, conflicting root) with the reason, and resolves only
 * when every landed root reached the commitment: only then does runConsumer commit the offsets. Any
 * other failure (RPC down, timeout, expired blockhash, wrong key) rejects: the batch is retried
 * after a backoff, and replaying it sends nothing twice (the chain's seq decides).
 */
export class RootPublisherConsumer {
  private readonly log = new Logger('root-publisher');

  constructor(
    private readonly publisher: PublishRoots,
    private readonly sink: RootPublisherSink,
    private readonly groupId: string,
    private readonly events: RootPublisherEvents = {},
  ) {}

  async handleBatch(messages: ConsumedMessage[]): Promise<void> {
    try {
      await this.handle(messages);
    } catch (e) {
      this.events.onFailure?.(e instanceof ChainFailure ? e.reason : 'internal');
      throw e;
    }
  }

  private async handle(messages: ConsumedMessage[]): Promise<void> {
    const dead: { m: ConsumedMessage; code: string; reason: string }[] = [];
    const valid: { m: ConsumedMessage; record: RootRecord }[] = [];
    for (const m of messages) {
      const d = rootRecordCodec.decode(m.value);
      if (d.ok) valid.push({ m, record: d.value });
      else dead.push({ m, code: d.error.code, reason: `${d.error.code}: ${d.error.message}` });
    }
    const outcomes: RecordOutcome[] = await this.publisher.publish(valid.map((v) => v.record));
    outcomes.forEach((o, i) => {
      const m = valid[i]!.m;
      if (o.kind === 'dead') dead.push({ m, code: o.code, reason: o.reason });
    });
    // Dead letters last: a retried batch (transient failure above) does not dead-letter twice.
    if (dead.length > 0) {
      dead.sort((a, b) => Number(BigInt(a.m.offset) - BigInt(b.m.offset)));
      await this.sink.send(
        dlqTopicOf(messages[0]!.topic),
        dead.map(({ m, code, reason }) => ({
          key: m.key,
          value: m.value,
          headers: {
            ...stringHeaders(m.headers),
            [DLQ_HEADERS.reason]: reason,
            [DLQ_HEADERS.code]: code,
            [DLQ_HEADERS.sourceTopic]: m.topic,
            [DLQ_HEADERS.sourcePartition]: String(m.partition),
            [DLQ_HEADERS.sourceOffset]: m.offset,
            [DLQ_HEADERS.consumerGroup]: this.groupId,
            [DLQ_HEADERS.failedAt]: new Date().toISOString(),
          },
        })),
      );
      for (const d of dead) {
        this.events.onDeadLetter?.(d.code);
        this.log.warn(`dead-lettered ${d.m.topic}/${d.m.partition}@${d.m.offset} (${d.code}): ${d.reason}`);
      }
    }
    for (const o of outcomes) {
      if (o.kind === 'skipped') this.events.onSkipped?.(o.reason);
    }
  }
}

function stringHeaders(h: ConsumedMessage['headers']): Record<string, string | Buffer> {
  const out: Record<string, string | Buffer> = {};
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined) continue;
    out[k] = Array.isArray(v) ? String(v[0] ?? '') : v;
  }
  return out;
}
