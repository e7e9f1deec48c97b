import type { Admin, Kafka, Producer } from 'kafkajs';
import {
  createIdempotentProducer,
  createKafka,
  DLQ_HEADERS,
  dlqTopicOf,
  ensureTopics,
  PoisonMessageError,
  runConsumer,
  RunningConsumer,
} from '@rv/kafka';
import { testEnv, uniqueName, waitFor } from '@rv/testing';

describe('kafka lib (real broker)', () => {
  let kafka: Kafka;
  let admin: Admin;
  let producer: Producer;
  const running: RunningConsumer[] = [];

  beforeAll(async () => {
    kafka = createKafka({ brokers: testEnv().KAFKA_BROKERS.split(','), clientId: 'spec' });
    admin = kafka.admin();
    producer = createIdempotentProducer(kafka);
    await Promise.all([admin.connect(), producer.connect()]);
  });

  afterAll(async () => {
    await Promise.all(running.map((c) => c.stop()));
    await producer.disconnect();
    await admin.disconnect();
  });

  const newTopic = async (partitions = 2) => {
    const topic = `rv.spec.${uniqueName('t')}.v1`;
    await ensureTopics(admin, [
      { topic, numPartitions: partitions },
      { topic: dlqTopicOf(topic), numPartitions: 1 },
    ]);
    return topic;
  };

  it('creates topics with explicit partitions, idempotently', async () => {
    const topic = await newTopic(3);
    expect(await ensureTopics(admin, [{ topic, numPartitions: 3 }])).toEqual([]);
    const meta = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(meta.topics[0]!.partitions).toHaveLength(3);
  });

  it('consumes back what was produced, in order per key', async () => {
    const topic = await newTopic();
    const sent = Array.from({ length: 50 }, (_, i) => ({ key: `k${i % 3}`, value: String(i) }));
    await producer.send({ topic, acks: -1, messages: sent });
    const got: { key: string; value: string }[] = [];
    running.push(
      await runConsumer({
        kafka,
        producer,
        groupId: uniqueName('g'),
        topics: [topic],
        each: async (m) => {
          got.push({ key: m.key!.toString(), value: m.value!.toString() });
        },
      }),
    );
    await waitFor(() => got.length === 50, { what: '50 messages' });
    for (const k of ['k0', 'k1', 'k2']) {
      const values = got.filter((g) => g.key === k).map((g) => Number(g.value));
      expect(values).toEqual([...values].sort((a, b) => a - b));
    }
    expect(new Set(got.map((g) => g.value)).size).toBe(50);
  });

  it('dead-letters a poison message with its reason and keeps the partition flowing', async () => {
    const topic = await newTopic(1);
    await producer.send({
      topic,
      acks: -1,
      messages: [
        { key: 'a', value: 'ok-1' },
        { key: 'a', value: 'garbage' },
        { key: 'a', value: 'ok-2' },
      ],
    });
    const processed: string[] = [];
    const groupId = uniqueName('g');
    running.push(
      await runConsumer({
        kafka,
        producer,
        groupId,
        topics: [topic],
        each: async (m) => {
          const v = m.value!.toString();
          if (!v.startsWith('ok')) throw new PoisonMessageError(`cannot decode value "${v}"`, 'decode');
          processed.push(v);
        },
      }),
    );
    await waitFor(() => processed.length === 2, { what: 'two good messages' });
    expect(processed).toEqual(['ok-1', 'ok-2']);

    const dlq: { value: string; headers: Record<string, string> }[] = [];
    const reader = kafka.consumer({ groupId: uniqueName('dlq-reader') });
    await reader.connect();
    await reader.subscribe({ topics: [dlqTopicOf(topic)], fromBeginning: true });
    await reader.run({
      eachMessage: async ({ message }) => {
        const headers = Object.fromEntries(
          Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]),
        );
        dlq.push({ value: message.value!.toString(), headers });
      },
    });
    await waitFor(() => dlq.length === 1, { what: 'one dead letter' });
    await reader.disconnect();
    expect(dlq[0]!.value).toBe('garbage');
    expect(dlq[0]!.headers[DLQ_HEADERS.reason]).toBe('cannot decode value "garbage"');
    expect(dlq[0]!.headers[DLQ_HEADERS.code]).toBe('decode');
    expect(dlq[0]!.headers[DLQ_HEADERS.sourceTopic]).toBe(topic);
    expect(dlq[0]!.headers[DLQ_HEADERS.sourceOffset]).toBe('1');
    expect(dlq[0]!.headers[DLQ_HEADERS.consumerGroup]).toBe(groupId);
  });

  it('retries a transiently failing batch and commits only after it succeeds', async () => {
    const topic = await newTopic(1);
    await producer.send({ topic, acks: -1, messages: [{ value: 'a' }, { value: 'b' }] });
    const groupId = uniqueName('g');
    let failuresLeft = 2;
    const durable: string[] = [];
    const c = await runConsumer({
      kafka,
      producer,
      groupId,
      topics: [topic],
      maxBackoffMs: 200,
      handleBatch: async (batch) => {
        if (failuresLeft-- > 0) throw new Error('database is away');
        durable.push(...batch.map((m) => m.value!.toString()));
      },
    });
    await waitFor(() => durable.length >= 2, { what: 'batch applied after retries' });
    expect(durable).toEqual(['a', 'b']);
    await waitFor(
      async () => {
        const offsets = await admin.fetchOffsets({ groupId, topics: [topic] });
        return offsets[0]!.partitions[0]!.offset === '2';
      },
      { what: 'committed offset 2' },
    );
    await c.stop();
  });
  it('on stop, finishes and commits the in-flight batch before disconnecting (graceful drain)', async () => {
    const topic = await newTopic(1);
    await producer.send({ topic, acks: -1, messages: [{ value: 'slow' }] });
    const groupId = uniqueName('g');
    let entered = false;
    let finished = false;
    const c = await runConsumer({
      kafka,
      producer,
      groupId,
      topics: [topic],
      handleBatch: async () => {
        entered = true;
        await new Promise((r) => setTimeout(r, 1500));
        finished = true;
      },
    });
    await waitFor(() => entered, { what: 'handler entered' });
    await c.stop();
    expect(finished).toBe(true);
    const offsets = await admin.fetchOffsets({ groupId, topics: [topic] });
    expect(offsets[0]!.partitions[0]!.offset).toBe('1');
  });
});
