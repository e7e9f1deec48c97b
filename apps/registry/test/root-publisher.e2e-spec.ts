import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { chmodSync, mkdtempSync } from 'fs';
import * as net from 'net';
import { tmpdir } from 'os';
import * as path from 'path';
import bs58 from 'bs58';
import request from 'supertest';
import type { Admin, Consumer, Kafka, Producer } from 'kafkajs';
import { Connection, Keypair, Transaction, type TransactionInstruction } from '@solana/web3.js';
import { ConfigError, ConfigService, parseConfig } from '@rv/config';
import {
  decodeEventsFromLogs,
  decodeRvAccount,
  initializeIx,
  registerTrackIx,
  trackPda,
  type TrackAccount,
} from '@rv/chain';
import {
  leafChangeCodec,
  leafChangeKey,
  rootRecordCodec,
  rootRecordKey,
  type LeafChange,
  type RootRecord,
} from '@rv/events';
import {
  createIdempotentProducer,
  createKafka,
  DLQ_HEADERS,
  dlqTopicOf,
  ensureTopics,
  KafkaService,
} from '@rv/kafka';
import { spawnApp, testEnv, uniqueName, waitFor, type SpawnedApp } from '@rv/testing';
import { writeKeypairFile } from '../../../tools/keys/keypair-file';
import { Localnet } from '../../../tools/localnet/src/localnet';
import { registryConfigSchema } from '../src/registry.config';
import { RegistryModule } from '../src/registry.module';
import { registrySchema, startRegistry } from './registry-test-app';

/** A TCP proxy in front of the local chain's JSON-RPC that the test can take down and bring back. */
class ToggleProxy {
  port = 0;
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  constructor(private readonly targetPort: number) {}

  async up(): Promise<void> {
    const server = net.createServer((client) => {
      const upstream = net.connect(this.targetPort, '127.0.0.1');
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as net.AddressInfo).port;
    this.server = server;
  }

  async down(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    for (const sock of this.sockets) sock.destroy();
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }
}

const hex32 = (n: number) => `0x${n.toString(16).padStart(64, '0')}`;
const record = (trackId: number, seq: number): RootRecord => ({
  trackId: BigInt(trackId),
  seq: BigInt(seq),
  root: hex32(trackId * 1000 + seq),
  leafCount: BigInt(seq * 7),
  slot: 500 + seq,
  changeSeq: BigInt(seq * 7),
});

// The root publisher as deployed: the registry process (spawned, real config and logs) consuming a
// real Kafka topic and sending update_root to the local chain's JSON-RPC through a proxy.
describe('root publisher: rv.registry.roots.v1 -> update_root on the local chain (real Kafka, spawned registry)', () => {
  let ln: Localnet;
  let proxy: ToggleProxy;
  let db: Awaited<ReturnType<typeof registrySchema>>;
  let kafka: Kafka;
  let admin: Admin;
  let producer: Producer;
  let app: SpawnedApp;
  let appEnv: Record<string, string>;
  const apps: SpawnedApp[] = [];
  let url: string;
  let conn: Connection;
  const consumers: Consumer[] = [];
  const authority = Keypair.generate();
  const topic = `rv.spec.${uniqueName('roots')}.v1`;
  const T1 = 21;
  const T2 = 22;
  const T3 = 23;

  const send = (ixs: TransactionInstruction[]) => {
    const tx = new Transaction({
      feePayer: authority.publicKey,
      recentBlockhash: ln.chain.latestBlockhash(0).blockhash,
    }).add(...ixs);
    tx.sign(authority);
    return ln.chain.submit(tx.serialize());
  };
  const produce = (records: RootRecord[], partition?: number) =>
    producer.send({
      topic,
      acks: -1,
      messages: records.map((r) => ({
        key: rootRecordKey(r),
        value: rootRecordCodec.encode(r),
        ...(partition === undefined ? {} : { partition }),
      })),
    });
  /** The Track account, read straight from the chain (not through the proxy). */
  const track = async (id: number): Promise<TrackAccount> => {
    const info = await conn.getAccountInfo(trackPda(BigInt(id))[0], 'confirmed');
    const d = decodeRvAccount(info!.data);
    if (!d.ok || d.value.name !== 'Track') throw new Error('not a Track account');
    return d.value.data;
  };
  const latestRoot = (t: TrackAccount) =>
    `0x${Buffer.from(t.roots[(t.rootHead + 63) % 64]!).toString('hex')}`;
  /** Every MerkleRootUpdated the chain holds for a track, oldest first, from getTransaction logs. */
  const rootEvents = async (id: number) => {
    const sigs = await conn.getSignaturesForAddress(trackPda(BigInt(id))[0], undefined, 'confirmed');
    const out: { seq: bigint; root: string; leafCount: bigint; signature: string }[] = [];
    for (const s of [...sigs].reverse()) {
      const tx = await conn.getTransaction(s.signature, {
        commitment: 'confirmed',
        maxSupportedTransactionVersion: 0,
      });
      for (const { event } of decodeEventsFromLogs(tx?.meta?.logMessages ?? []).events) {
        if (event.name !== 'MerkleRootUpdated') continue;
        out.push({
          seq: event.data.seq,
          root: `0x${Buffer.from(event.data.root).toString('hex')}`,
          leafCount: event.data.leafCount,
          signature: s.signature,
        });
      }
    }
    return out;
  };
  /** Waits until the track's newest confirmed MerkleRootUpdated carries `seq`. */
  const confirmedSeq = (id: number, seq: number, timeoutMs = 30_000) =>
    waitFor(async () => (await rootEvents(id)).at(-1)?.seq === BigInt(seq), {
      what: `seq ${seq} of track ${id} confirmed on chain`,
      timeoutMs,
    });
  const metric = async (name: string, labels: Record<string, string> = {}): Promise<number> => {
    const text = await (await fetch(`${url}/metrics`)).text();
    const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
    const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && want.every((w) => l.includes(w)));
    return line ? Number(line.split(' ').pop()) : 0;
  };
  const ready = async () => {
    const r = await fetch(`${url}/health/ready`);
    return {
      status: r.status,
      body: (await r.json()) as { status: string; degraded?: boolean; checks: Record<string, string> },
    };
  };

  beforeAll(async () => {
    ln = await Localnet.start({
      grpcPort: 0,
      rpcPort: 0,
      chain: { slotMs: 40, confirmDepth: 1, finalizeDepth: 4 },
    });
    conn = new Connection(ln.rpcUrl, 'confirmed');
    proxy = new ToggleProxy(Number(new URL(ln.rpcUrl).port));
    await proxy.up();
    ln.chain.airdrop(authority.publicKey, 100_000_000_000n);
    send([
      initializeIx({
        payer: authority.publicKey,
        rootAuthority: authority.publicKey,
        verifier: Keypair.generate().publicKey,
      }),
    ]);
    for (const id of [T1, T2, T3]) {
      send([
        registerTrackIx({
          authority: authority.publicKey,
          payer: authority.publicKey,
          trackId: id,
          mint: Keypair.generate().publicKey,
          depth: 20,
        }),
      ]);
    }
    ln.chain.advance(3);

    const keyFile = path.join(mkdtempSync(path.join(tmpdir(), 'rv-root-publisher-')), 'root-authority.json');
    writeKeypairFile(keyFile, authority);

    kafka = createKafka({ brokers: testEnv().KAFKA_BROKERS.split(','), clientId: 'root-publisher-spec' });
    admin = kafka.admin();
    producer = createIdempotentProducer(kafka);
    await Promise.all([admin.connect(), producer.connect()]);
    await ensureTopics(admin, [
      { topic, numPartitions: 2 },
      { topic: dlqTopicOf(topic), numPartitions: 1 },
    ]);

    db = await registrySchema();
    appEnv = {
      DATABASE_URL: testEnv().DATABASE_URL,
      DATABASE_SCHEMA: db.schema,
      KAFKA_BROKERS: testEnv().KAFKA_BROKERS,
      PORT: '0',
      LOG_LEVEL: 'debug',
      SOLANA_RPC_URL: `http://127.0.0.1:${proxy.port}`,
      ROOT_AUTHORITY_KEYPAIR_FILE: keyFile,
      ROOTS_TOPIC: topic,
      ROOT_PUBLISHER_GROUP: uniqueName('rv_root_publisher'),
      ROOT_PUBLISHER_RPC_TIMEOUT_MS: '1000',
      ROOT_PUBLISHER_POLL_MS: '40',
      ROOT_PUBLISHER_MAX_BACKOFF_MS: '500',
      TREE_WRITER_ENABLED: 'false',
    };
    app = spawnApp('registry', appEnv);
    apps.push(app);
    url = await app.listening(60_000);
  }, 120_000);

  afterAll(async () => {
    for (const a of apps) {
      if (a.proc.exitCode !== null || a.proc.signalCode !== null) continue;
      a.proc.kill('SIGTERM');
      await a.exited;
    }
    await Promise.all(consumers.map((c) => c.disconnect()));
    await producer?.disconnect();
    await admin?.disconnect();
    await proxy?.down();
    await ln?.stop();
    await db?.drop();
  });

  it('puts each track newest root on chain: Track account and MerkleRootUpdated in the transaction logs', async () => {
    const t1 = [record(T1, 1), record(T1, 2), record(T1, 3)];
    await produce([...t1, record(T2, 1)]);
    await confirmedSeq(T1, 3, 60_000);
    await confirmedSeq(T2, 1);

    const a = await track(T1);
    expect(latestRoot(a)).toBe(record(T1, 3).root);
    expect(a.leafCount).toBe(21n);
    const b = await track(T2);
    expect(latestRoot(b)).toBe(record(T2, 1).root);

    // Every root the chain took is one the registry published for that seq, in increasing seq order,
    // ending with the newest; older ones of the same batch may have been superseded (never sent).
    const ev1 = await rootEvents(T1);
    expect(ev1.length).toBeGreaterThanOrEqual(1);
    expect(ev1[ev1.length - 1]).toMatchObject({ seq: 3n, root: record(T1, 3).root, leafCount: 21n });
    for (const e of ev1) expect(e.root).toBe(record(T1, Number(e.seq)).root);
    expect(ev1.map((e) => e.seq)).toEqual([...ev1.map((e) => e.seq)].sort((x, y) => Number(x - y)));
    expect(new Set(ev1.map((e) => e.seq)).size).toBe(ev1.length);
    expect((await rootEvents(T2)).map((e) => [e.seq, e.root])).toEqual([[1n, record(T2, 1).root]]);

    const submitted = ev1.length + 1;
    await waitFor(async () => (await metric('rv_root_publisher_roots_submitted_total')) === submitted, {
      what: 'submitted metric',
    });
    expect(await metric('rv_root_publisher_roots_skipped_total', { reason: 'superseded' })).toBe(
      3 - ev1.length,
    );
    expect(await metric('rv_root_publisher_submit_seconds_count', { outcome: 'landed' })).toBe(submitted);
    expect(await ready()).toMatchObject({ status: 200, body: { status: 'ok', checks: { solana: 'ok' } } });
  });

  it('sends nothing twice when the same records are replayed', async () => {
    const before1 = (await rootEvents(T1)).length;
    const before2 = (await rootEvents(T2)).length;
    const submitted = await metric('rv_root_publisher_roots_submitted_total');
    const skipped = await metric('rv_root_publisher_roots_skipped_total', { reason: 'already_on_chain' });
    await produce([record(T1, 1), record(T1, 2), record(T1, 3), record(T2, 1)]);
    await waitFor(
      async () =>
        (await metric('rv_root_publisher_roots_skipped_total', { reason: 'already_on_chain' })) ===
        skipped + 4,
      {
        what: '4 replayed records skipped',
      },
    );
    expect((await rootEvents(T1)).length).toBe(before1);
    expect((await rootEvents(T2)).length).toBe(before2);
    expect(await metric('rv_root_publisher_roots_submitted_total')).toBe(submitted);
    expect((await track(T1)).lastSeq).toBe(3n);
  });

  it('dead-letters a record of an unknown track and an undecodable one with their reasons; the partition keeps flowing', async () => {
    await producer.send({
      topic,
      acks: -1,
      messages: [
        { key: '999', value: rootRecordCodec.encode(record(999, 1)), partition: 0 },
        { key: 'junk', value: Buffer.from('{"v":1,"trackId":"x"'), partition: 0 },
        { key: rootRecordKey(record(T1, 4)), value: rootRecordCodec.encode(record(T1, 4)), partition: 0 },
      ],
    });
    const dead: { key: string; code: string; reason: string; source: string }[] = [];
    const dlq = kafka.consumer({ groupId: uniqueName('root-publisher-spec-dlq') });
    consumers.push(dlq);
    await dlq.connect();
    await dlq.subscribe({ topic: dlqTopicOf(topic), fromBeginning: true });
    await dlq.run({
      eachMessage: async ({ message }) => {
        const h = (k: string) => String(message.headers?.[k] ?? '');
        dead.push({
          key: String(message.key),
          code: h(DLQ_HEADERS.code),
          reason: h(DLQ_HEADERS.reason),
          source: h(DLQ_HEADERS.sourceTopic),
        });
      },
    });
    await waitFor(() => dead.length >= 2, { what: 'two dead letters', timeoutMs: 30_000 });
    expect(dead).toEqual([
      {
        key: '999',
        code: 'unknown_track',
        reason: 'track 999 is not registered on chain (no Track account)',
        source: topic,
      },
      {
        key: 'junk',
        code: 'bad_encoding',
        reason: expect.stringMatching(/^bad_encoding: not JSON/),
        source: topic,
      },
    ]);
    await confirmedSeq(T1, 4);
    expect(await metric('rv_root_publisher_dead_letters_total', { code: 'unknown_track' })).toBe(1);
  });

  it('keeps a root while the RPC is down (readiness reports it degraded, paths keep serving) and submits it once the RPC is back', async () => {
    await proxy.down();
    const down = await waitFor(
      async () => {
        const r = await ready();
        return r.body.degraded === true ? r : undefined;
      },
      { what: 'degraded /health/ready' },
    );
    expect(down.status).toBe(200);
    expect(down.body.status).toBe('ok');
    expect(down.body.checks.solana).toMatch(/^error: getAccountInfo\(config\): Solana RPC unreachable/);
    expect(down.body.checks.kafka).toBe('ok');

    await produce([record(T2, 2)]);
    await waitFor(
      async () => (await metric('rv_root_publisher_failures_total', { reason: 'rpc_unreachable' })) >= 2,
      {
        what: 'retried failures while the RPC is down',
        timeoutMs: 30_000,
      },
    );
    expect((await track(T2)).lastSeq).toBe(1n);

    await proxy.up();
    await confirmedSeq(T2, 2);
    expect((await track(T2)).lastSeq).toBe(2n);
    expect((await rootEvents(T2)).map((e) => e.seq)).toEqual([1n, 2n]);
    await waitFor(async () => (await ready()).body.degraded === undefined, { what: 'no longer degraded' });
  });

  it('lands a root once when the publisher is killed -9 while its transaction is in flight and a new one sends it again', async () => {
    // The chain holds transactions in a queue while paused: the publisher's update_root is sent but not executed.
    const queued = () => (ln.chain as unknown as { queue: unknown[] }).queue.length;
    ln.chain.pause();
    try {
      await produce([record(T3, 1)]);
      await waitFor(() => queued() === 1, { what: 'the first update_root in flight', timeoutMs: 30_000 });
      app.proc.kill('SIGKILL');
      await app.exited;
      // New slots (not executing the queue): the next publisher gets another blockhash, so its transaction
      // differs from the first one (the same blockhash would give the very same, deduplicated transaction).
      ln.chain.advance(2);

      // Its offset was not committed: the restarted publisher reads the record again, still sees last seq 0
      // (the first transaction has not executed) and sends a second transaction for the same seq.
      app = spawnApp('registry', appEnv);
      apps.push(app);
      url = await app.listening(60_000);
      await waitFor(() => queued() === 2, { what: 'the second update_root in flight', timeoutMs: 90_000 });
    } finally {
      ln.chain.resume();
    }
    await confirmedSeq(T3, 1);
    // The program's seq guard refuses the second one; the publisher counts it as already done.
    await waitFor(
      async () =>
        (await metric('rv_root_publisher_roots_skipped_total', { reason: 'seq_not_increasing' })) === 1,
      {
        what: 'the second transaction answered SeqNotIncreasing',
        timeoutMs: 30_000,
      },
    );
    expect((await rootEvents(T3)).map((e) => [e.seq, e.root])).toEqual([[1n, record(T3, 1).root]]);
    const sigs = await conn.getSignaturesForAddress(trackPda(BigInt(T3))[0], undefined, 'confirmed');
    const updates = sigs.filter((s) => s.slot > 0 && s.err !== null);
    expect(updates).toHaveLength(1); // the refused duplicate, which changed nothing
    expect((await track(T3)).lastSeq).toBe(1n);
    expect(await metric('rv_root_publisher_roots_submitted_total')).toBe(0); // the new process sent no root that landed
  });

  it('never writes the root authority secret key to its logs', () => {
    const logs = apps.map((a) => a.stdout() + a.stderr()).join('\n');
    expect(logs).toContain(`as root authority ${authority.publicKey.toBase58()}`);
    expect(logs).toContain('update_root track 21 seq 4');
    const secret = Buffer.from(authority.secretKey);
    const seed = secret.subarray(0, 32);
    const forms = [
      JSON.stringify(Array.from(secret)),
      Array.from(seed).join(','),
      Array.from(seed).join(', '),
      bs58.encode(secret),
      bs58.encode(seed),
      seed.toString('hex'),
      seed.toString('base64'),
      secret.toString('base64'),
    ];
    for (const f of forms) expect(logs).not.toContain(f);
  });
});

// The whole registry side of event flow step 3 in one process: leaf changes -> tree writer -> roots
// topic -> root publisher -> update_root; the chain ends up holding exactly the root the registry serves.
describe('tree writer + root publisher: the registry root lands on the local chain (real Kafka and PostgreSQL)', () => {
  let ln: Localnet;
  let db: Awaited<ReturnType<typeof registrySchema>>;
  let app: INestApplication;
  let conn: Connection;
  const authority = Keypair.generate();
  const TRACK = 31;
  const leafTopic = `rv.spec.${uniqueName('leaf_changes')}.v1`;
  const rootsTopic = `rv.spec.${uniqueName('roots')}.v1`;
  const MINT = Keypair.generate().publicKey;

  const change = (changeSeq: number, op: 'append' | 'revoke', leaf: number): LeafChange => ({
    trackId: BigInt(TRACK),
    changeSeq: BigInt(changeSeq),
    op,
    leaf: hex32(0x7000 + leaf),
    depth: 16,
    slot: 900 + changeSeq,
    mint: MINT.toBase58(),
  });

  beforeAll(async () => {
    ln = await Localnet.start({
      grpcPort: 0,
      rpcPort: 0,
      chain: { slotMs: 40, confirmDepth: 1, finalizeDepth: 4 },
    });
    conn = new Connection(ln.rpcUrl, 'confirmed');
    ln.chain.airdrop(authority.publicKey, 10_000_000_000n);
    const send = (ix: TransactionInstruction) => {
      const tx = new Transaction({
        feePayer: authority.publicKey,
        recentBlockhash: ln.chain.latestBlockhash(0).blockhash,
      }).add(ix);
      tx.sign(authority);
      ln.chain.submit(tx.serialize());
    };
    send(
      initializeIx({
        payer: authority.publicKey,
        rootAuthority: authority.publicKey,
        verifier: Keypair.generate().publicKey,
      }),
    );
    send(
      registerTrackIx({
        authority: authority.publicKey,
        payer: authority.publicKey,
        trackId: TRACK,
        mint: MINT,
        depth: 16,
      }),
    );
    ln.chain.advance(3);
    const keyFile = path.join(mkdtempSync(path.join(tmpdir(), 'rv-root-publisher-')), 'root-authority.json');
    writeKeypairFile(keyFile, authority);

    db = await registrySchema();
    app = await startRegistry(db.schema, {
      TREE_WRITER_ENABLED: 'true',
      LEAF_CHANGES_TOPIC: leafTopic,
      ROOTS_TOPIC: rootsTopic,
      TREE_WRITER_GROUP: uniqueName('rv_tree_writer'),
      ROOT_PUBLISHER_GROUP: uniqueName('rv_root_publisher'),
      ROOT_AUTHORITY_KEYPAIR_FILE: keyFile,
      SOLANA_RPC_URL: ln.rpcUrl,
      ROOT_PUBLISHER_POLL_MS: '40',
    });
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await ln?.stop();
    await db?.drop();
  });

  it('publishes the root the registry computed for each batch; the chain and GET /v1/trees agree on root and seq', async () => {
    const kafka = app.get(KafkaService);
    const produce = (changes: LeafChange[]) =>
      kafka.send(
        leafTopic,
        changes.map((c) => ({ key: leafChangeKey(c), value: leafChangeCodec.encode(c) })),
      );
    const chainHead = async () => {
      const info = await conn.getAccountInfo(trackPda(BigInt(TRACK))[0], 'confirmed');
      const d = decodeRvAccount(info!.data);
      if (!d.ok || d.value.name !== 'Track') throw new Error('not a Track account');
      const t = d.value.data;
      return {
        seq: t.lastSeq,
        root: `0x${Buffer.from(t.roots[(t.rootHead + 63) % 64]!).toString('hex')}`,
        leafCount: t.leafCount,
      };
    };
    const http = request(app.getHttpServer());

    await produce([1, 2, 3, 4, 5].map((i) => change(i, 'append', i)));
    await produce([change(6, 'revoke', 2), change(7, 'append', 6)]);

    const served = await waitFor(
      async () => {
        const r = await http.get(`/v1/trees/${TRACK}`);
        return r.status === 200 && r.body.leafCount === 5
          ? (r.body as { root: string; seq: number; leafCount: number })
          : undefined;
      },
      { what: 'the tree with every change applied', timeoutMs: 60_000 },
    );
    const onChain = await waitFor(
      async () => {
        const h = await chainHead();
        return h.seq === BigInt(served.seq) ? h : undefined;
      },
      { what: `seq ${served.seq} on chain`, timeoutMs: 60_000 },
    );
    expect(onChain).toEqual({ seq: BigInt(served.seq), root: served.root, leafCount: 5n });

    // Every root the chain took is the registry's root for that seq (the root history API).
    const history = (await http.get(`/v1/trees/${TRACK}/roots?limit=100`).expect(200)).body as {
      roots: { seq: number; root: string }[];
    };
    const bySeq = new Map(history.roots.map((r) => [BigInt(r.seq), r.root]));
    // The account read above may be ahead of `confirmed` (the local chain answers getAccountInfo
    // with its newest state): poll the confirmed transactions until the newest seq is among them.
    const confirmedEvents = async () => {
      const sigs = await conn.getSignaturesForAddress(trackPda(BigInt(TRACK))[0], undefined, 'confirmed');
      const found = [];
      for (const s of [...sigs].reverse()) {
        const tx = await conn.getTransaction(s.signature, {
          commitment: 'confirmed',
          maxSupportedTransactionVersion: 0,
        });
        for (const { event } of decodeEventsFromLogs(tx?.meta?.logMessages ?? []).events) {
          if (event.name === 'MerkleRootUpdated') found.push(event.data);
        }
      }
      return found;
    };
    const events = await waitFor(
      async () => {
        const found = await confirmedEvents();
        return found.some((e) => e.seq === BigInt(served.seq)) ? found : undefined;
      },
      { what: `MerkleRootUpdated of seq ${served.seq} in a confirmed transaction`, timeoutMs: 30_000 },
    );
    expect(events.length).toBeGreaterThanOrEqual(1);
    for (const e of events) expect(`0x${Buffer.from(e.root).toString('hex')}`).toBe(bySeq.get(e.seq));
    // (signatures of one slot come in no defined order: compare the newest seq, not the last listed)
    expect(events.map((e) => e.seq).reduce((a, b) => (a > b ? a : b))).toBe(BigInt(served.seq));
  });
});

describe('root publisher boot', () => {
  it('refuses to start with a keypair file that others can read, naming the variable and never the content', async () => {
    const kp = Keypair.generate();
    const keyFile = path.join(mkdtempSync(path.join(tmpdir(), 'rv-root-publisher-')), 'loose.json');
    writeKeypairFile(keyFile, kp);
    chmodSync(keyFile, 0o644);
    const db = await registrySchema();
    const cfg = parseConfig(registryConfigSchema, {
      DATABASE_URL: testEnv().DATABASE_URL,
      DATABASE_SCHEMA: db.schema,
      KAFKA_BROKERS: testEnv().KAFKA_BROKERS,
      LOG_LEVEL: 'silent',
      TREE_WRITER_ENABLED: 'false',
      ROOT_AUTHORITY_KEYPAIR_FILE: keyFile,
    });
    const app = await NestFactory.create(RegistryModule.forRoot(new ConfigService(cfg)), { logger: false });
    try {
      const err = (await app.init().catch((e: unknown) => e)) as Error;
      expect(err).toBeInstanceOf(ConfigError);
      expect(err.message).toBe(
        `invalid configuration: ROOT_AUTHORITY_KEYPAIR_FILE: expected a solana keypair file readable only by its owner (keypair file ${keyFile} is accessible by group/others (mode 644); run chmod 600 ${keyFile})`,
      );
      expect(err.message).not.toContain(bs58.encode(kp.secretKey.subarray(0, 32)));
    } finally {
      await app.close();
      await db.drop();
    }
  });
});
