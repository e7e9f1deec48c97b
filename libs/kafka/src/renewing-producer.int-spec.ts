import * as net from 'net';
import { Kafka, logLevel, type Admin, type Producer } from 'kafkajs';
import { createIdempotentProducer, createKafka, ensureTopics, type RenewReason } from '@rv/kafka';
import { testEnv, uniqueName, waitFor } from '@rv/testing';

/** CRC-32C (Castagnoli), the checksum of a Kafka record batch. */
const CRC32C_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32c(b: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of b) crc = CRC32C_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/**
 * A TCP proxy between kafkajs and the real broker that can make the broker lose sequence numbers of
 * a producer id, as a broker crash with a request in flight does: for a "broken" producer id it
 * adds 1 to the base sequence of every record batch it forwards (and fixes the batch CRC). The
 * broker then answers OUT_OF_ORDER_SEQUENCE_NUMBER to every produce request of that producer id, for
 * real, while other producer ids are untouched. It can also hold new connections (not forward them
 * yet) to catch a producer mid-connect.
 */
class SequenceGapProxy {
  private readonly server = net.createServer((c) => this.accept(c));
  /** Client connections open now (the producers under test are its only clients). */
  readonly open = new Set<net.Socket>();
  /** Producer ids seen in produce requests, in order of first appearance. */
  readonly producerIds: bigint[] = [];
  private readonly broken = new Set<bigint>();
  private holding?: { release: () => void; done: Promise<void> };
  held = 0;

  constructor(private readonly upstream: { host: string; port: number }) {}

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
  }

  /** From now on the broker sees a sequence gap for every batch of this producer id. */
  breakProducer(id: bigint): void {
    this.broken.add(id);
  }

  holdNewConnections(): void {
    let release!: () => void;
    const done = new Promise<void>((r) => (release = r));
    this.holding = { release, done };
  }

  releaseConnections(): void {
    this.holding?.release();
    this.holding = undefined;
  }

  /** A kafkajs client whose every connection (whatever broker address metadata names) goes here. */
  kafka(): Kafka {
    return new Kafka({
      clientId: 'renewing-producer-spec',
      brokers: [`${this.upstream.host}:${this.upstream.port}`],
      logLevel: logLevel.NOTHING,
      connectionTimeout: 3000,
      requestTimeout: 10000,
      retry: { initialRetryTime: 100, retries: 5 },
      socketFactory: ({ onConnect }) => {
        const s = net.connect({ host: '127.0.0.1', port: this.port }, onConnect);
        s.setKeepAlive(true, 30000);
        return s;
      },
    });
  }

  async close(): Promise<void> {
    this.releaseConnections();
    for (const c of this.open) c.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(c: net.Socket): void {
    this.open.add(c);
    let up: net.Socket | undefined;
    const pending: Buffer[] = [];
    let buf = Buffer.alloc(0);
    c.on('error', () => undefined);
    c.on('close', () => {
      this.open.delete(c);
      up?.destroy();
    });
    c.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 4 && buf.length >= 4 + buf.readInt32BE(0)) {
        const frame = buf.subarray(0, 4 + buf.readInt32BE(0));
        buf = buf.subarray(frame.length);
        this.inspect(frame);
        if (up) up.write(frame);
        else pending.push(frame);
      }
    });
    const connectUpstream = () => {
      if (c.destroyed) return;
      up = net.connect(this.upstream);
      up.on('error', () => undefined);
      up.on('close', () => c.destroy());
      up.on('data', (d) => c.write(d));
      for (const f of pending.splice(0)) up.write(f);
    };
    if (this.holding) {
      this.held++;
      void this.holding.done.then(connectUpstream);
    } else connectUpstream();
  }

  /** Produce requests v3+ (record batches): note producer ids, open a sequence gap for broken ones. */
  private inspect(f: Buffer): void {
    if (f.readInt16BE(4) !== 0 || f.readInt16BE(6) < 3) return;
    let off = 12;
    off += 2 + Math.max(0, f.readInt16BE(off)); // client id
    off += 2 + Math.max(0, f.readInt16BE(off)); // transactional id
    off += 2 + 4; // acks, timeout
    const topics = f.readInt32BE(off);
    off += 4;
    for (let t = 0; t < topics; t++) {
      off += 2 + f.readInt16BE(off); // topic name
      const partitions = f.readInt32BE(off);
      off += 4;
      for (let p = 0; p < partitions; p++) {
        off += 4; // partition
        const size = f.readInt32BE(off);
        off += 4;
        const end = off + Math.max(0, size);
        // Record batch: baseOffset(8) length(4) leaderEpoch(4) magic(1) crc(4) attributes(2)
        // lastOffsetDelta(4) firstTimestamp(8) maxTimestamp(8) producerId(8) epoch(2) baseSequence(4)
        for (let b = off; b + 61 <= end; b += 12 + f.readInt32BE(b + 8)) {
          const pid = f.readBigInt64BE(b + 43);
          if (!this.producerIds.includes(pid)) this.producerIds.push(pid);
          if (!this.broken.has(pid)) continue;
          f.writeInt32BE(f.readInt32BE(b + 53) + 1, b + 53);
          f.writeUInt32BE(crc32c(f.subarray(b + 21, b + 12 + f.readInt32BE(b + 8))), b + 17);
        }
        off = end;
      }
    }
  }
}

describe('idempotent producer after the broker lost records of its producer id (real broker)', () => {
  const [host, port] = testEnv().KAFKA_BROKERS.split(',')[0]!.split(':') as [string, string];
  let direct: Kafka;
  let admin: Admin;
  let proxy: SequenceGapProxy;
  let topic: string;

  beforeAll(async () => {
    direct = createKafka({ brokers: testEnv().KAFKA_BROKERS.split(','), clientId: 'renewing-spec' });
    admin = direct.admin();
    await admin.connect();
  });
  afterAll(async () => {
    await admin.disconnect();
  });
  beforeEach(async () => {
    proxy = new SequenceGapProxy({ host, port: Number(port) });
    await proxy.listen();
    topic = `rv.spec.${uniqueName('renew')}.v1`;
    await ensureTopics(admin, [{ topic, numPartitions: 1 }]);
  });
  afterEach(async () => {
    await proxy.close();
  });

  /** Every value on the topic, read by a consumer straight from the broker. */
  async function readValues(count: number): Promise<string[]> {
    const got: string[] = [];
    const c = direct.consumer({ groupId: uniqueName('reader') });
    await c.connect();
    try {
      await c.subscribe({ topics: [topic], fromBeginning: true });
      await c.run({ eachMessage: async ({ message }) => void got.push(message.value!.toString()) });
      await waitFor(() => got.length >= count, { what: `${count} records on ${topic}` });
      // Nothing more than expected arrives (no duplicate): the high watermark is the count.
      const [offsets] = await admin.fetchTopicOffsets(topic);
      expect(Number(offsets!.high)).toBe(count);
    } finally {
      await c.disconnect();
    }
    return got;
  }

  const one = (value: string) => ({ topic, acks: -1, messages: [{ key: 'k', value }] });

  it('reproduces the failure: a plain kafkajs idempotent producer gets OUT_OF_ORDER_SEQUENCE_NUMBER on every send', async () => {
    const plain: Producer = proxy
      .kafka()
      .producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    await plain.connect();
    try {
      await plain.send(one('before'));
      proxy.breakProducer(proxy.producerIds[0]!);
      for (let i = 0; i < 3; i++) {
        await expect(plain.send(one(`lost ${i}`))).rejects.toMatchObject({
          name: 'KafkaJSProtocolError',
          type: 'OUT_OF_ORDER_SEQUENCE_NUMBER',
        });
      }
    } finally {
      await plain.disconnect();
    }
  }, 30_000);

  it('sends through a new producer id: the send resolves, the records are readable, later sends need no renewal', async () => {
    const reasons: RenewReason[] = [];
    const producer = createIdempotentProducer(proxy.kafka(), { onRenewal: (r) => reasons.push(r) });
    await producer.connect();
    try {
      await producer.send(one('before'));
      const connectionsPerProducer = proxy.open.size;
      proxy.breakProducer(proxy.producerIds[0]!);
      await producer.send({
        topic,
        acks: -1,
        messages: [
          { key: 'k', value: 'after 1' },
          { key: 'k', value: 'after 2' },
        ],
      });
      expect(reasons).toEqual(['OUT_OF_ORDER_SEQUENCE_NUMBER']);
      expect(proxy.producerIds).toHaveLength(2); // a new producer id did the send
      await waitFor(() => proxy.open.size === connectionsPerProducer, {
        what: "the old producer's connections closed",
      });
      await producer.sendBatch({
        acks: -1,
        topicMessages: [{ topic, messages: [{ key: 'k', value: 'batch' }] }],
      });
      await producer.send(one('last'));
      expect(producer.renewals).toBe(1);
    } finally {
      await producer.disconnect();
    }
    await waitFor(() => proxy.open.size === 0, { what: 'no producer connection left (old or new)' });
    expect(await readValues(5)).toEqual(['before', 'after 1', 'after 2', 'batch', 'last']);
  }, 60_000);

  it('concurrent sends that fail on the old producer id share one renewal and all arrive', async () => {
    const producer = createIdempotentProducer(proxy.kafka());
    await producer.connect();
    const values = Array.from({ length: 6 }, (_, i) => `concurrent ${i}`);
    try {
      await producer.send(one('before'));
      const connectionsPerProducer = proxy.open.size;
      proxy.breakProducer(proxy.producerIds[0]!);
      await Promise.all(values.map((v) => producer.send(one(v))));
      expect(producer.renewals).toBe(1);
      expect(proxy.producerIds).toHaveLength(2);
      await waitFor(() => proxy.open.size === connectionsPerProducer, {
        what: "the old producer's connections closed",
      });
    } finally {
      await producer.disconnect();
    }
    await waitFor(() => proxy.open.size === 0, { what: 'no producer connection left (old or new)' });
    const got = await readValues(1 + values.length);
    expect(got[0]).toBe('before');
    expect([...got.slice(1)].sort()).toEqual([...values].sort());
  }, 60_000);

  it('disconnect while the new producer connects: the send fails with the broker error, no producer is left connected', async () => {
    const producer = createIdempotentProducer(proxy.kafka());
    await producer.connect();
    await producer.send(one('before'));
    proxy.breakProducer(proxy.producerIds[0]!);
    proxy.holdNewConnections();
    const outcome = producer.send(one('during shutdown')).then(
      () => 'sent',
      (e: unknown) => e,
    );
    await waitFor(() => proxy.held > 0, { what: 'the renewal connecting a new producer' });
    const closing = producer.disconnect();
    proxy.releaseConnections();
    await closing;
    expect(await outcome).toMatchObject({ type: 'OUT_OF_ORDER_SEQUENCE_NUMBER' });
    expect(producer.renewals).toBe(0);
    await waitFor(() => proxy.open.size === 0, { what: 'no producer connection left (old or new)' });
    expect(await readValues(1)).toEqual(['before']);
  }, 60_000);
});
