import type { TopicSpec } from '@rv/kafka';
import { dlqTopicOf } from '@rv/kafka';

/** The topics the indexer writes, with explicit partitions (auto-creation is off on our brokers). */
export function indexerTopics(t: {
  chainUpdates: string;
  leafChanges: string;
  partitions: number;
}): TopicSpec[] {
  return [
    { topic: t.chainUpdates, numPartitions: t.partitions },
    { topic: dlqTopicOf(t.chainUpdates), numPartitions: 1 },
    { topic: t.leafChanges, numPartitions: t.partitions },
  ];
}
