import { Kafka, logLevel, LogEntry, Partitioners } from 'kafkajs';
import { Logger } from '@nestjs/common';
import { RenewingProducer, type RenewReason } from './renewing-producer';

export interface KafkaSettings {
  brokers: string[];
  clientId: string;
  /** Connection/request timeouts in ms (defaults suit a local broker). */
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
}

const levels: Record<number, 'error' | 'warn' | 'log' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'log',
  [logLevel.DEBUG]: 'debug',
};

/** A kafkajs client whose own logs go through the app's structured logger (warn and above). */
export function createKafka(s: KafkaSettings): Kafka {
  const logger = new Logger('kafkajs');
  return new Kafka({
    clientId: s.clientId,
    brokers: s.brokers,
    connectionTimeout: s.connectionTimeoutMs ?? 3000,
    requestTimeout: s.requestTimeoutMs ?? 30000,
    retry: { initialRetryTime: 200, retries: 8, maxRetryTime: 5000 },
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log }: LogEntry) => {
        const { message, ...rest } = log;
        const fn = levels[level] ?? 'log';
        logger[fn](`${message} ${JSON.stringify(rest)}`);
      },
  });
}

/**
 * The idempotent producer every app uses (and the only way apps and libs make a producer): acks from
 * all replicas, one request in flight, retries without a limit (a bounded retry count would void the
 * idempotence guarantee; a send during a broker outage waits for the broker instead of losing the
 * record). Murmur2 partitioning (Java client compatible), so a key always lands on the same
 * partition whatever client wrote it. When the broker answers that this producer id can no longer
 * send (OUT_OF_ORDER_SEQUENCE_NUMBER after a crash lost in-flight records, UNKNOWN_PRODUCER_ID,
 * INVALID_PRODUCER_EPOCH), it goes on with a new producer id instead of failing every send forever;
 * see RenewingProducer for what that means (a record may be written twice; consumers dedupe).
 */
export function createIdempotentProducer(
  kafka: Kafka,
  opts: { onRenewal?: (reason: RenewReason) => void } = {},
): RenewingProducer {
  return new RenewingProducer(
    () =>
      // eslint-disable-next-line no-restricted-syntax -- the one place a kafkajs producer is made
      kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        createPartitioner: Partitioners.DefaultPartitioner,
        retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 200, maxRetryTime: 5000 },
      }),
    opts,
  );
}
