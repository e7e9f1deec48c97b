import { BeforeApplicationShutdown, Injectable, OnApplicationShutdown } from '@nestjs/common';
import type { Admin, Kafka, Message, Producer } from 'kafkajs';
import { ensureTopics, TopicSpec } from './ensure-topics';
import { runConsumer, ConsumerOptions, RunningConsumer } from './run-consumer';

/** The app's Kafka connection: one idempotent producer, one admin, the consumers it runs. */
@Injectable()
export class KafkaService implements BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly consumers: RunningConsumer[] = [];

  constructor(
    readonly kafka: Kafka,
    readonly producer: Producer,
    readonly admin: Admin,
  ) {}

  ensureTopics(specs: TopicSpec[]): Promise<string[]> {
    return ensureTopics(this.admin, specs);
  }

  /** Sends with acks=all through the idempotent producer. */
  async send(topic: string, messages: Message[]): Promise<void> {
    await this.producer.send({ topic, messages, acks: -1 });
  }

  async consume(opts: Omit<ConsumerOptions, 'kafka' | 'producer'>): Promise<RunningConsumer> {
    const c = await runConsumer({ ...opts, kafka: this.kafka, producer: this.producer });
    this.consumers.push(c);
    return c;
  }

  /**
   * Nest runs every beforeApplicationShutdown hook before any onApplicationShutdown hook: consumers
   * finish and commit their in-flight batch here, while the database pools they write to are open.
   */
  async beforeApplicationShutdown(): Promise<void> {
    await Promise.allSettled(this.consumers.map((c) => c.stop()));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.producer.disconnect();
    await this.admin.disconnect();
  }
}
