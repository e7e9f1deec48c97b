// npm run bench -- ingest
// Side by side in one run:
//  1. end to end, sustained: a local chain in its own process (as a validator would be) is filled
//     with a backlog of SPL token transfers of a registered track mint (BENCH_TXS transactions of
//     BENCH_PER_TX transfers, owners with registered identities); then the indexer's ingest streams it
//     from slot 1 with from_slot replay (Yellowstone gRPC) -> Kafka rv.chain.updates.v1 -> the
//     projector -> committed PostgreSQL rows; updates/s = records published / time from the ingest's
//     start until the projector committed the last one. Replayed twice, by fresh pipelines: with the
//     indexer's default Yellowstone client (grpc-js: updates_per_s) and with the package's official
//     N-API client (updates_per_s_napi_client);
//  2. the raw limit on this machine for the same number of records: bare kafkajs produce + consume
//     of the same encoded values, and a bare multi-row INSERT of the same holdings rows;
//  3. latency at a paced rate (BENCH_RATE, 1,000 updates/s): another local chain process with 400 ms
//     slots; transfers are sent every 50 ms so that the chain writes BENCH_RATE token accounts per
//     second (the achieved rate is what the ingest published during the window). For each slot: the
//     time from its CONFIRMED status (seen by a separate Yellowstone subscriber) until every record
//     published up to that slot is committed by the projector (its PostgreSQL offsets reached the
//     topic end offsets read once the ingest checkpoint covered the slot: conservative), p50/p99.
// Also reported: e2e_cores_busy, the CPU seconds all processes on the machine used per second of the
// end-to-end window (per process in the log): on a small shared machine the pipeline (local chain,
// ingest, projector, Kafka, PostgreSQL) is CPU-bound, and this says how close to the cores it ran.
// Env: BENCH_TXS (12000), BENCH_PER_TX (4), BENCH_OWNERS (64), BENCH_RATE (1000 updates/s),
//      BENCH_LAG_S (30), BENCH_ONLY=e2e|lag, BENCH_TRANSPORTS (grpc-js,napi; grpc-js first), DATABASE_URL,
//      KAFKA_BROKERS.
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import { Pool } from 'pg';
import { chainUpdateCodec, chainUpdateKey, type ChainUpdate } from '@rv/events';
import { createIdempotentProducer, createKafka, ensureTopics } from '@rv/kafka';
import { createTestSchema, testEnv, uniqueName, waitFor } from '@rv/testing';
import Client, { SlotStatus, type SubscribeUpdate } from '@triton-one/yellowstone-grpc';
import { spawnLocalnet, TokenLoad, type SpawnedLocalnet } from '../tools/localnet/src';
import { Ingest } from '../apps/indexer/src/ingest/ingest';
import type { GeyserTransport } from '../apps/indexer/src/ingest/geyser-client';
import { Projector } from '../apps/indexer/src/projector/projector';

const TXS = Number(process.env.BENCH_TXS ?? 12000);
const PER_TX = Number(process.env.BENCH_PER_TX ?? 4);
const OWNERS = Number(process.env.BENCH_OWNERS ?? 64);
const RATE = Number(process.env.BENCH_RATE ?? 1000);
const LAG_S = Number(process.env.BENCH_LAG_S ?? 30);
// BENCH_TRANSPORTS=grpc-js skips the official client's replay (quicker runs when comparing changes).
const TRANSPORTS = (process.env.BENCH_TRANSPORTS ?? 'grpc-js,napi').split(',') as GeyserTransport[];
const log = (m: string): void => console.error(`[bench ingest] ${m}`);
const round = (x: number, d = 0): number => Math.round(x * 10 ** d) / 10 ** d;
const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! : NaN;
};

async function retry<T>(fn: () => Promise<T>, attempts = 5): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (e) {
      if (i >= attempts) throw e;
      log(`retrying after: ${e instanceof Error ? e.message : String(e)}`);
      await new Promise((r) => setTimeout(r, 1000 * i));
    }
  }
}

async function pipeline(tag: string) {
  const s = await createTestSchema(`bench_${tag}`);
  const pool = new Pool({ connectionString: s.url, options: `-c search_path=${s.schema}`, max: 6 });
  const kafka = createKafka({ brokers: testEnv().KAFKA_BROKERS.split(','), clientId: 'bench-ingest' });
  const admin = kafka.admin();
  const producer = createIdempotentProducer(kafka);
  await Promise.all([admin.connect(), producer.connect()]);
  const suffix = uniqueName(tag);
  const topics = {
    chainUpdates: `rv.chain.updates.v1.${suffix}`,
    leafChanges: `rv.registry.leaf-changes.v1.${suffix}`,
  };
  await retry(() =>
    ensureTopics(admin, [
      { topic: topics.chainUpdates, numPartitions: 6 },
      { topic: `${topics.chainUpdates}.dlq`, numPartitions: 1 },
      { topic: topics.leafChanges, numPartitions: 6 },
    ]),
  );
  const group = `bench-${suffix}`;
  const close = async () => {
    await admin
      .deleteTopics({ topics: [topics.chainUpdates, `${topics.chainUpdates}.dlq`, topics.leafChanges] })
      .catch(() => undefined);
    await producer.disconnect();
    await admin.disconnect();
    await pool.end();
    await s.drop();
  };
  const applied = async () =>
    Number(
      (
        await pool.query<{ n: string }>(
          `SELECT COALESCE(SUM(next_offset), 0)::text AS n FROM consumer_offsets WHERE consumer_group = $1`,
          [group],
        )
      ).rows[0]!.n,
    );
  const end = async () =>
    (await admin.fetchTopicOffsets(topics.chainUpdates)).reduce((x, p) => x + Number(p.high), 0);
  return { pool, kafka, admin, producer, topics, group, close, applied, end, url: s.url, schema: s.schema };
}

/** A local chain in its own process: 1 confirmation, finalized after 8 slots, signatures not re-verified. */
const chainProcess = (slotMs: number): Promise<SpawnedLocalnet> =>
  spawnLocalnet({
    RV_LOCALNET_SLOT_MS: String(slotMs),
    RV_LOCALNET_CONFIRM_DEPTH: '1',
    RV_LOCALNET_FINALIZE_DEPTH: '8',
    RV_LOCALNET_REPLAY_WINDOW: '100000',
    RV_LOCALNET_SIGVERIFY: 'false',
  });

const stopChain = async (ln: SpawnedLocalnet): Promise<void> => {
  if (ln.child.exitCode !== null || ln.child.signalCode !== null) return;
  const exited = new Promise((r) => ln.child.once('exit', r));
  ln.stop();
  await exited;
};

function ingestFor(
  p: Pipeline,
  ln: SpawnedLocalnet,
  name: string,
  transport: GeyserTransport = 'grpc-js',
): Ingest {
  return new Ingest({
    transport,
    pool: p.pool,
    producer: p.producer,
    chainUpdatesTopic: p.topics.chainUpdates,
    geyserEndpoint: ln.grpc,
    rpcUrl: ln.rpc,
    name,
    startSlot: 1,
    maxBackoffMs: 200,
  });
}

type Pipeline = Awaited<ReturnType<typeof pipeline>>;

/**
 * The projector in its own process (INDEXER_ROLES=projector next to an ingest-only process, as the
 * indexer is deployed to scale): this file again with BENCH_ROLE=projector.
 */
async function projectorProcess(p: Pipeline): Promise<{ stop: () => Promise<void> }> {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', __filename], {
    env: {
      ...process.env,
      BENCH_ROLE: 'projector',
      BENCH_DATABASE_URL: p.url,
      BENCH_SCHEMA: p.schema,
      BENCH_TOPICS: JSON.stringify(p.topics),
      BENCH_GROUP: p.group,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  await waitFor(() => out.includes('projector up'), { timeoutMs: 60000, what: 'projector process up' });
  return {
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * The paced load generator in its own process (this file with BENCH_ROLE=load): sets up a track
 * mint and its holders, then on "go" sends, every 50 ms, enough transactions of PER_TX transfers
 * for `rate` token-account writes per second, for `seconds`.
 */
async function loadProcess(
  rpc: string,
  rate: number,
  seconds: number,
): Promise<{
  readySlot: number;
  run: () => Promise<{ firstSlot: number; lastSlot: number; sent: number; elapsed: number }>;
  stop: () => void;
}> {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', __filename], {
    env: {
      ...process.env,
      BENCH_ROLE: 'load',
      BENCH_RPC: rpc,
      BENCH_RATE: String(rate),
      BENCH_LAG_S: String(seconds),
    },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines: Record<string, unknown>[] = [];
  let buf = '';
  child.stdout!.on('data', (b: Buffer) => {
    buf += b.toString();
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      lines.push(JSON.parse(buf.slice(0, i)) as Record<string, unknown>);
      buf = buf.slice(i + 1);
    }
  });
  const line = (key: string, timeoutMs: number) =>
    waitFor(() => lines.find((l) => key in l), { timeoutMs, what: `load generator: ${key}` });
  const ready = await line('readySlot', 120000);
  return {
    readySlot: ready.readySlot as number,
    run: async () => {
      child.stdin!.write('go\n');
      const r = await line('lastSlot', (seconds + 60) * 1000);
      return r as { firstSlot: number; lastSlot: number; sent: number; elapsed: number };
    },
    stop: () => void (child.exitCode === null && child.kill('SIGTERM')),
  };
}

async function loadRole(): Promise<void> {
  const rate = Number(process.env.BENCH_RATE);
  const seconds = Number(process.env.BENCH_LAG_S);
  const load = await TokenLoad.setup(process.env.BENCH_RPC!, {
    owners: OWNERS,
    trackId: 1n,
    identities: true,
  });
  process.stdout.write(JSON.stringify({ readySlot: await load.closeSlot() }) + '\n');
  await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));
  const perTick = rate / 20 / (PER_TX + 1);
  const tStart = Date.now();
  const firstSlot = await load.slot();
  let owed = 0;
  let sent = 0;
  for (let tick = 1; Date.now() - tStart < seconds * 1000; tick++) {
    owed += perTick;
    const n = Math.floor(owed);
    owed -= n;
    if (n > 0) {
      await load.sendRaw(await load.sign(n, PER_TX));
      sent += n;
    }
    await new Promise((r) => setTimeout(r, Math.max(0, tStart + tick * 50 - Date.now())));
  }
  const elapsed = (Date.now() - tStart) / 1000;
  const lastSlot = await load.closeSlot();
  process.stdout.write(JSON.stringify({ firstSlot, lastSlot, sent, elapsed }) + '\n');
}

async function projectorRole(): Promise<void> {
  const env = (k: string): string => {
    const v = process.env[k];
    if (!v) throw new Error(`${k} is not set`);
    return v;
  };
  const pool = new Pool({
    connectionString: env('BENCH_DATABASE_URL'),
    options: `-c search_path=${env('BENCH_SCHEMA')}`,
    max: 6,
  });
  const kafka = createKafka({ brokers: testEnv().KAFKA_BROKERS.split(','), clientId: 'bench-projector' });
  const producer = createIdempotentProducer(kafka);
  await producer.connect();
  const projector = new Projector({
    kafka,
    producer,
    pool,
    groupId: env('BENCH_GROUP'),
    topics: JSON.parse(env('BENCH_TOPICS')) as { chainUpdates: string; leafChanges: string },
  });
  await projector.start();
  process.stdout.write('projector up\n');
  await new Promise<void>((resolve) => process.once('SIGTERM', () => resolve()));
  // How the projector batched (each transaction applies the partition batches of one fetch).
  const consumer = projector['consumer'] as { transactions: number; partitionBatches: number };
  log(`  projector: ${consumer.transactions} transactions, ${consumer.partitionBatches} partition batches`);
  await projector.stop();
  await producer.disconnect();
  await pool.end();
}

interface E2E {
  records: number;
  ms: number;
  coresBusy: number;
  sample: ChainUpdate[];
}

/** The backlog on one chain process, replayed by one pipeline per Yellowstone transport. */
async function endToEnd(transports: GeyserTransport[]): Promise<Map<GeyserTransport, E2E>> {
  const ln = await chainProcess(100);
  try {
    const t0 = Date.now();
    const load = await TokenLoad.setup(ln.rpc, { owners: OWNERS, trackId: 1n, identities: true });
    const sigs = await load.transfers(TXS, PER_TX);
    await load.landed(sigs);
    const lastSlot = await load.closeSlot();
    // Confirmed one slot later: the whole backlog is then streamable at confirmed.
    while ((await load.slot()) < lastSlot + 2) await new Promise((r) => setTimeout(r, 20));
    log(
      `chain backlog ready: ${TXS} transactions of ${PER_TX} transfers up to slot ${lastSlot} in ${Date.now() - t0} ms`,
    );
    const out = new Map<GeyserTransport, E2E>();
    for (const transport of transports) out.set(transport, await replay(ln, lastSlot, transport));
    return out;
  } finally {
    await stopChain(ln);
  }
}

async function replay(ln: SpawnedLocalnet, lastSlot: number, transport: GeyserTransport): Promise<E2E> {
  const p = await pipeline('e2e');
  try {
    const ingest = ingestFor(p, ln, 'bench', transport);
    const projector = await projectorProcess(p);
    const cpu0 = cpuTicks();
    const started = Date.now();
    await ingest.start();
    await waitFor(() => (ingest.checkpointSlot ?? 0) >= lastSlot, {
      timeoutMs: 600000,
      intervalMs: 20,
      what: 'ingest at the end of the backlog',
    });
    const total = await p.end();
    const records = ingest['publisher'].published as number;
    await waitFor(async () => (await p.applied()) >= total, {
      timeoutMs: 600000,
      intervalMs: 20,
      what: 'projector committed everything',
    });
    const ms = Date.now() - started;
    log(`end to end with the ${transport} Yellowstone client:`);
    const coresBusy = logCpu(cpu0, ms);
    log(
      `  ${records} records in ${ms} ms = ${round((records / ms) * 1000)} updates/s; ingest batches ${ingest['publisher'].batches as number}, reconnects ${ingest.reconnects}`,
    );
    await ingest.stop();
    await projector.stop();
    // A sample of the real records for the raw-limit runs (read back from the topic).
    const sample = await readBack(p, 2000);
    return { records, ms, coresBusy, sample };
  } finally {
    await p.close();
  }
}

/** CPU ticks (user + system) of every process on the machine, by pid (Linux /proc). */
function cpuTicks(): Map<string, { ticks: number; cmd: string }> {
  const out = new Map<string, { ticks: number; cmd: string }>();
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      out.set(pid, { ticks: Number(f[11]) + Number(f[12]), cmd });
    } catch {
      // the process ended
    }
  }
  return out;
}

/** Where the machine's CPU went during the measured window (this run's processes and the rest). */
function logCpu(before: Map<string, { ticks: number; cmd: string }>, ms: number): number {
  const after = cpuTicks();
  const used = [...after]
    .map(([pid, a]) => ({ pid, cmd: a.cmd, s: (a.ticks - (before.get(pid)?.ticks ?? 0)) / 100 }))
    .filter((x) => x.s > 0.05)
    .sort((a, b) => b.s - a.s);
  const total = used.reduce((x, u) => x + u.s, 0);
  log(`CPU during ${ms} ms: ${total.toFixed(1)} s over all processes (${os.cpus().length} cores)`);
  for (const u of used.slice(0, 8))
    log(
      `  ${u.s.toFixed(1).padStart(5)} s  ${u.pid === String(process.pid) ? '(this process: ingest) ' : ''}${u.cmd.slice(0, 100)}`,
    );
  return total / (ms / 1000);
}

/** The first `n` records of the chain-updates topic, decoded. */
async function readBack(p: Pipeline, n: number): Promise<ChainUpdate[]> {
  const out: ChainUpdate[] = [];
  const consumer = p.kafka.consumer({ groupId: `${p.group}-sample` });
  await consumer.connect();
  await consumer.subscribe({ topics: [p.topics.chainUpdates], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const d = chainUpdateCodec.decode(message.value);
      if (d.ok && out.length < n) out.push(d.value);
    },
  });
  await waitFor(() => out.length >= n, { timeoutMs: 60000, what: 'records read back' });
  await consumer.disconnect();
  return out;
}

async function rawLimit(
  n: number,
  sample: ChainUpdate[],
): Promise<{ kafkaPerS: number; insertPerS: number }> {
  const p = await pipeline('raw');
  try {
    const holdings = sample.filter(
      (u): u is Extract<ChainUpdate, { type: 'holding_changed' }> => u.type === 'holding_changed',
    );
    const values = Array.from({ length: n }, (_, i) => sample[i % sample.length]!);
    // Bare kafkajs: produce n records (batches of 1000), consume them back.
    const t0 = Date.now();
    for (let i = 0; i < n; i += 1000) {
      await p.producer.send({
        topic: p.topics.chainUpdates,
        acks: -1,
        messages: values
          .slice(i, i + 1000)
          .map((u) => ({ key: chainUpdateKey(u), value: chainUpdateCodec.encode(u) })),
      });
    }
    let got = 0;
    const consumer = p.kafka.consumer({ groupId: `${p.group}-raw` });
    await consumer.connect();
    await consumer.subscribe({ topics: [p.topics.chainUpdates], fromBeginning: true });
    await consumer.run({ eachBatch: async ({ batch }) => void (got += batch.messages.length) });
    await waitFor(() => got >= n, { timeoutMs: 300000, intervalMs: 20, what: 'raw consume' });
    const kafkaMs = Date.now() - t0;
    await consumer.disconnect();
    // Bare multi-row INSERT of the same holdings rows (1000 per statement).
    const t1 = Date.now();
    const rows = Array.from({ length: n }, (_, i) => holdings[i % holdings.length]!);
    const bs58 = (await import('bs58')).default;
    for (let i = 0; i < n; i += 1000) {
      const chunk = rows.slice(i, i + 1000);
      await p.pool.query(
        `INSERT INTO holdings (token_account, wallet, mint, amount, slot, write_version)
         SELECT * FROM unnest($1::bytea[], $2::bytea[], $3::bytea[], $4::numeric[], $5::bigint[], $6::bigint[])
         ON CONFLICT (token_account) DO UPDATE SET amount = EXCLUDED.amount, slot = EXCLUDED.slot, write_version = EXCLUDED.write_version`,
        [
          chunk.map((_h, j) =>
            Buffer.from(bs58.decode(holdings[(i + j) % holdings.length]!.tokenAccount))
              .fill(j % 256, 0, 1)
              .fill((i + j) >> 8, 1, 2),
          ),
          chunk.map((h) => Buffer.from(bs58.decode(h.wallet))),
          chunk.map((h) => Buffer.from(bs58.decode(h.mint))),
          chunk.map((h) => h.amount.toString()),
          chunk.map((h) => h.slot),
          chunk.map((h) => h.writeVersion.toString()),
        ],
      );
    }
    const insertMs = Date.now() - t1;
    return { kafkaPerS: (n / kafkaMs) * 1000, insertPerS: (n / insertMs) * 1000 };
  } finally {
    await p.close();
  }
}

/**
 * Latency at a paced rate. The local chain runs in its own process (as a validator would), so its
 * transaction execution does not share this process's event loop with the indexer.
 */
async function lagAt(
  rate: number,
  seconds: number,
): Promise<{ p50: number; p99: number; slots: number; achieved: number }> {
  const ln = await chainProcess(400);
  const p = await pipeline('lag');
  const ingest = ingestFor(p, ln, 'lag');
  let projector: { stop: () => Promise<void> } | undefined;
  let gen: Awaited<ReturnType<typeof loadProcess>> | undefined;
  // When each slot became CONFIRMED, as a Yellowstone subscriber sees it.
  const confirmedAt = new Map<number, number>();
  const watcher = new Client(ln.grpc, undefined, undefined);
  await watcher.connect();
  const watch = await watcher.subscribe();
  watch.on('data', (u: SubscribeUpdate) => {
    if (u.slot?.status === SlotStatus.SLOT_CONFIRMED) confirmedAt.set(Number(u.slot.slot), Date.now());
  });
  await new Promise<void>((resolve, reject) =>
    watch.write(
      {
        accounts: {},
        slots: { s: {} },
        transactions: {},
        transactionsStatus: {},
        blocks: {},
        blocksMeta: {},
        entry: {},
        accountsDataSlice: [],
      },
      (e: Error | null | undefined) => (e ? reject(e) : resolve()),
    ),
  );
  let polling = true;
  let poller: Promise<void> | undefined;
  try {
    gen = await loadProcess(ln.rpc, rate, seconds);
    projector = await projectorProcess(p);
    await ingest.start();
    const ready = gen.readySlot;
    await waitFor(() => (ingest.checkpointSlot ?? 0) >= ready, {
      timeoutMs: 120000,
      what: 'set-up ingested',
    });
    // When every record published up to each slot was committed by the projector: once the ingest
    // checkpoint covers slot s, every record of slots <= s is below the topic end offsets read then.
    const projectedAt = new Map<number, number>();
    const publishedAt = new Map<number, number>();
    const pending: { from: number; to: number; ends: Map<number, bigint> }[] = [];
    let covered = ready;
    poller = (async () => {
      while (polling) {
        const cp = ingest.checkpointSlot ?? 0;
        if (cp > covered) {
          const ends = new Map(
            (await p.admin.fetchTopicOffsets(p.topics.chainUpdates)).map((o) => [
              o.partition,
              BigInt(o.high),
            ]),
          );
          pending.push({ from: covered + 1, to: cp, ends });
          for (let sl = covered + 1; sl <= cp; sl++) publishedAt.set(sl, Date.now());
          covered = cp;
        }
        const { rows } = await p.pool.query<{ partition: number; next_offset: string }>(
          `SELECT partition, next_offset::text FROM consumer_offsets WHERE consumer_group = $1`,
          [p.group],
        );
        const done = new Map(rows.map((r) => [r.partition, BigInt(r.next_offset)]));
        const now = Date.now();
        while (pending.length > 0) {
          const head = pending[0]!;
          if (![...head.ends].every(([part, end]) => end === 0n || (done.get(part) ?? 0n) >= end)) break;
          for (let sl = head.from; sl <= head.to; sl++) projectedAt.set(sl, now);
          pending.shift();
        }
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    // Paced load from its own process (signing must not share the ingest's event loop).
    const holdingsBefore = ingest['publisher'].published as number;
    const run = await gen.run();
    const { firstSlot, lastSlot, sent, elapsed } = run;
    await waitFor(() => (projectedAt.has(lastSlot) ? true : undefined), {
      timeoutMs: 180000,
      what: 'lag run projected',
    });
    const published = (ingest['publisher'].published as number) - holdingsBefore;
    log(`paced: ${sent} transactions in ${elapsed.toFixed(1)} s, ${published} records published`);
    const lags: number[] = [];
    for (let slot = firstSlot + 1; slot <= lastSlot; slot++) {
      const c = confirmedAt.get(slot);
      const q = projectedAt.get(slot);
      if (c !== undefined && q !== undefined) lags.push(Math.max(0, q - c));
    }
    const toPublished: number[] = [];
    for (let slot = firstSlot + 1; slot <= lastSlot; slot++) {
      const c = confirmedAt.get(slot);
      const q = publishedAt.get(slot);
      if (c !== undefined && q !== undefined) toPublished.push(Math.max(0, q - c));
    }
    log(
      `confirmed -> ingest checkpoint (all published): p50 ${pct(toPublished, 50)} ms, p99 ${pct(toPublished, 99)} ms`,
    );
    return { p50: pct(lags, 50), p99: pct(lags, 99), slots: lags.length, achieved: published / elapsed };
  } finally {
    polling = false;
    await poller;
    watch.destroy();
    await ingest.stop();
    await projector?.stop();
    gen?.stop();
    await p.close();
    await stopChain(ln);
  }
}

async function main(): Promise<void> {
  if (process.env.BENCH_ROLE === 'projector') return projectorRole();
  if (process.env.BENCH_ROLE === 'load') return loadRole();
  if (process.env.BENCH_ONLY === 'lag') {
    const lag = await lagAt(RATE, LAG_S);
    console.log(
      JSON.stringify({
        bench: 'ingest',
        lag_rate_achieved_updates_per_s: round(lag.achieved),
        lag_p50_ms_at_1k: lag.p50,
        lag_p99_ms_at_1k: lag.p99,
        slots: lag.slots,
      }),
    );
    return;
  }
  log(`end to end: ${TXS} transactions of ${PER_TX} transfers between ${OWNERS} holders`);
  const runs = await endToEnd(TRANSPORTS);
  const rate = (r: E2E) => (r.records / r.ms) * 1000;
  // The indexer's default client (grpc-js), and the package's official N-API client side by side.
  const e2e = runs.get('grpc-js')!;
  const napi = runs.get('napi') ?? { records: NaN, ms: NaN, coresBusy: NaN, sample: [] };
  const updatesPerS = rate(e2e);
  if (process.env.BENCH_ONLY === 'e2e') {
    console.log(
      JSON.stringify({
        bench: 'ingest',
        updates_per_s: round(updatesPerS),
        updates_per_s_napi_client: round(rate(napi)),
        records: e2e.records,
      }),
    );
    return;
  }
  const raw = await rawLimit(e2e.records, e2e.sample);
  log(
    `raw: kafkajs produce+consume ${round(raw.kafkaPerS)} records/s, multi-row INSERT ${round(raw.insertPerS)} rows/s`,
  );
  log(`latency at ${RATE} updates/s for ${LAG_S} s`);
  const lag = await lagAt(RATE, LAG_S);
  log(
    `latency: ${lag.slots} slots, achieved ${round(lag.achieved)} updates/s, p50 ${lag.p50} ms, p99 ${lag.p99} ms`,
  );
  console.log(
    JSON.stringify({
      bench: 'ingest',
      updates_per_s: round(updatesPerS),
      records: e2e.records,
      raw_limit_updates_per_s: round(Math.min(raw.kafkaPerS, raw.insertPerS)),
      raw_kafka_produce_consume_per_s: round(raw.kafkaPerS),
      raw_multirow_insert_per_s: round(raw.insertPerS),
      ratio_to_raw: round(updatesPerS / Math.min(raw.kafkaPerS, raw.insertPerS), 3),
      e2e_cores_busy: round(e2e.coresBusy, 2),
      updates_per_s_napi_client: round(rate(napi)),
      e2e_cores_busy_napi_client: round(napi.coresBusy, 2),
      cores: os.cpus().length,
      lag_rate_achieved_updates_per_s: round(lag.achieved),
      lag_p50_ms_at_1k: lag.p50,
      lag_p99_ms_at_1k: lag.p99,
    }),
  );
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(`[bench ingest] failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    process.exit(1);
  },
);
