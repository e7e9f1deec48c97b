/**
 * A message that can never be processed (cannot be decoded, wrong schema version, violates an
 * invariant). The consumer sends it to the dead-letter topic with this reason and moves on; any
 * other error is treated as transient and retried without committing.
 */
export class PoisonMessageError extends Error {
  constructor(
    readonly reason: string,
    readonly code = 'poison',
  ) {
    super(reason);
    this.name = 'PoisonMessageError';
  }
}

export const dlqTopicOf = (topic: string): string => `${topic}.dlq`;

export const DLQ_HEADERS = {
  reason: 'rv-dlq-reason',
  code: 'rv-dlq-code',
  sourceTopic: 'rv-dlq-source-topic',
  sourcePartition: 'rv-dlq-source-partition',
  sourceOffset: 'rv-dlq-source-offset',
  consumerGroup: 'rv-dlq-consumer-group',
  failedAt: 'rv-dlq-failed-at',
} as const;
