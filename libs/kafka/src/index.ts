export { createKafka, createIdempotentProducer, KafkaSettings } from './create-kafka';
export { RenewingProducer, RenewReason, RENEWING_ERRORS, renewReasonOf } from './renewing-producer';
export { ensureTopics, TopicSpec } from './ensure-topics';
export { PoisonMessageError, dlqTopicOf, DLQ_HEADERS } from './dead-letter';
export { runConsumer, ConsumerOptions, ConsumedMessage, RunningConsumer } from './run-consumer';
export { KafkaModule } from './kafka.module';
export { KafkaService } from './kafka.service';
