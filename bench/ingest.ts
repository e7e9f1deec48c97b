// npm run bench -- ingest
// Side by side in one run:
//  1. end to end: a local chain (in this process) holding a churn scenario's history is streamed by
//     the indexer's ingest (Yellowstone gRPC, from slot 1) -> Kafka rv.chain.updates.v1 -> the
//     projector -> committed PostgreSQL rows; updates/s = records published / time until the
//     projector committed the last one;
//  2. the raw limit on this machine for the same number of records: bare kafkajs produce + consume
//     of the same encoded values, and a bare multi-row INSERT of the same holdings rows;
//  3. latency at a paced rate (target 1,000 updates/s): the local chain runs in its own process, a
//     slot every 200 ms, transactions sent over JSON-RPC; for each slot, the time from its
//     CONFIRMED status (seen by a Yellowstone subscriber) until the projector has committed records
//     of that slot (its 'projector' checkpoint, the highest slot committed; approximate: other
//     partitions of the same slot may commit a few ms later), p50/p99. The achieved rate is
//     reported: one sequential JSON-RPC client cannot offer 1,000 updates/s to this local chain.
// Env: BENCH_CHURN (6000), BENCH_HOLDERS (300), BENCH_RATE (1000 updates/s), BENCH_LAG_S (15), BENCH_ONLY=lag,
//      DATABASE_URL, KAFKA_BROKERS.
import { Pool } from 'pg';
import { chainUpdateCodec, chainUpdateKey, type ChainUpdate } from '@rv/events';
import { createKafka, ensureTopics } from '@rv/kafka';
import { createTestSchema, freePort, testEnv, uniqueName, waitFor } from '@rv/testing';
import { spawn } from 'child_process';
import * as path from 'path';
import Client, { SlotStatus, type SubscribeUpdate } from '@triton-one/yellowstone-grpc';
import { Localnet } from '../tools/localnet/src/localnet';
import { planScenario } from '../tools/localnet/src/scenario/plan';
import {
  inProcessTarget,
  rpcTarget,
  runScenario,
  type ScenarioTarget,
} from '../tools/localnet/src/scenario/run';
import { scenarioKeys } from '../tools/localnet/src/scenario/keys';
import { Ingest } from '../apps/indexer/src/ingest/ingest';
import { Projector } from '../apps/indexer/src/projector/projector';
import { yielding } from '../apps/indexer/test/support/chain-scenario';

const CHURN = Number(process.env.BENCH_CHURN ?? 6000);
const HOLDERS = Number(process.env.BENCH_HOLDERS ?? 300);
const RATE = Number(process.env.BENCH_RATE ?? 1000);
const LAG_S = Number(process.env.BENCH_LAG_S ?? 15);
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
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
  });
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
  return { pool, kafka, admin, producer, topics, group, close, applied, end };
}

async function endToEnd(): Promise<{ records: number; ms: number; sample: ChainUpdate[] }> {
  const ln = await Localnet.start({
    grpcPort: 0,
    rpcPort: 0,
    chain: { slotMs: 0, confirmDepth: 1, finalizeDepth: 8 },
    geyser: { replayWindowSlots: 100000 },
  });
  const p = await pipeline('e2e');
  try {
    const plan = planScenario({
      seed: 'bench-ingest',
      tracks: 3,
      holders: HOLDERS,
      identityShare: 0.6,
      initialHoldersPerTrack: Math.floor(HOLDERS / 3),
      churn: CHURN,
      churnPerSlot: 20,
      verifications: 5,
    });
    const t0 = Date.now();
    await runScenario(plan, yielding(inProcessTarget(ln)));
    ln.chain.advance(3);
    const head = ln.chain.slotAt(1);
    log(
      `chain history ready: ${plan.batches.flat().length} transactions up to slot ${head} in ${Date.now() - t0} ms`,
    );
    const ingest = new Ingest({
      pool: p.pool,
      producer: p.producer,
      chainUpdatesTopic: p.topics.chainUpdates,
      geyserEndpoint: ln.grpcEndpoint,
      rpcUrl: ln.rpcUrl,
      name: 'bench',
      startSlot: 1,
      maxBackoffMs: 200,
    });
    const projector = new Projector({
      kafka: p.kafka,
      producer: p.producer,
      pool: p.pool,
      groupId: p.group,
      topics: p.topics,
    });
    await projector.start();
    const started = Date.now();
    await ingest.start();
    await waitFor(() => (ingest.checkpointSlot ?? 0) >= head, {
      timeoutMs: 600000,
      intervalMs: 100,
      what: 'ingest at head',
    });
    const total = await p.end();
    await waitFor(async () => (await p.applied()) >= total, {
      timeoutMs: 600000,
      intervalMs: 50,
      what: 'projector committed everything',
    });
    const ms = Date.now() - started;
    const records = ingest['publisher'].published as number;
    await ingest.stop();
    await projector.stop();
    // A sample of the real records for the raw-limit runs.
    const { rows } = await p.pool.query<{ record: Buffer }>(
      `SELECT record FROM indexer_published LIMIT 2000`,
    );
    const sample = rows.map((r) => chainUpdateCodec.decode(r.record)).flatMap((d) => (d.ok ? [d.value] : []));
    return { records, ms, sample };
  } finally {
    await p.close();
    await ln.stop();
  }
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
  const [grpcPort, rpcPort] = [await freePort(), await freePort()];
  const chainProc = spawn(
    process.execPath,
    ['-r', '@swc-node/register', path.join(__dirname, '..', 'tools/localnet/src/main.ts')],
    {
      env: {
        ...process.env,
        RV_LOCALNET_GRPC_PORT: String(grpcPort),
        RV_LOCALNET_RPC_PORT: String(rpcPort),
        RV_LOCALNET_SLOT_MS: '0',
        RV_LOCALNET_CONFIRM_DEPTH: '1',
        RV_LOCALNET_FINALIZE_DEPTH: '8',
        RV_LOCALNET_SIGVERIFY: 'false',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let out = '';
  chainProc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  await waitFor(() => out.includes('localnet up'), { timeoutMs: 60000, what: 'localnet child up' });
  const grpc = `http://127.0.0.1:${grpcPort}`;
  const rpcUrl = `http://127.0.0.1:${rpcPort}`;
  const p = await pipeline('lag');
  const ingest = new Ingest({
    pool: p.pool,
    producer: p.producer,
    chainUpdatesTopic: p.topics.chainUpdates,
    geyserEndpoint: grpc,
    rpcUrl,
    name: 'lag',
    startSlot: 1,
    maxBackoffMs: 200,
  });
  const projector = new Projector({
    kafka: p.kafka,
    producer: p.producer,
    pool: p.pool,
    groupId: p.group,
    topics: p.topics,
  });
  // When each slot became CONFIRMED, as a Yellowstone subscriber sees it.
  const confirmedAt = new Map<number, number>();
  const watcher = new Client(grpc, undefined, undefined);
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
  const base = rpcTarget(rpcUrl);
  let open = 0;
  const admin = async (n: number) => {
    open = ((await base.admin('rv_advanceSlots', [n])) as { slot: number }).slot;
  };
  const manual: ScenarioTarget = { ...base, nextSlot: () => admin(1) };
  try {
    await projector.start();
    await ingest.start();
    const slotMs = 200;
    const perSlot = Math.max(1, Math.round((rate * slotMs) / 1000 / 2)); // a transfer writes 2 accounts
    const spec = {
      seed: 'bench-lag',
      tracks: 2,
      holders: 200,
      identityShare: 0.6,
      initialHoldersPerTrack: 100,
      churn: perSlot * Math.ceil((seconds * 1000) / slotMs),
      churnPerSlot: perSlot,
      verifications: 0,
    };
    const plan = planScenario(spec);
    await runScenario({ spec, batches: plan.batches.slice(0, 3) }, yielding(manual));
    await admin(2);
    await waitFor(() => (ingest.checkpointSlot ?? 0) >= open - 2, {
      timeoutMs: 120000,
      what: 'set-up ingested',
    });
    // Paced churn: one batch per slot, a slot every slotMs; remember which token accounts each slot wrote.
    const written = new Map<number, Buffer[]>();
    const accountOf = (h: number, t: number) =>
      Buffer.from(scenarioKeys.tokenAccount(spec.seed, h, t).publicKey.toBytes());
    let lastTick = Date.now();
    let sent = 0;
    const tStart = Date.now();
    const paced: ScenarioTarget = {
      ...manual,
      async send(ixs, signers) {
        sent++;
        return manual.send(ixs, signers);
      },
      async nextSlot() {
        await new Promise((r) => setTimeout(r, Math.max(0, lastTick + slotMs - Date.now())));
        lastTick = Date.now();
        await admin(1);
      },
    };
    const churn = plan.batches.slice(3);
    // When the projector's committed checkpoint first reached each slot, polled during the run.
    const projectedAt = new Map<number, number>();
    let polling = true;
    let highest = 0;
    const poller = (async () => {
      while (polling) {
        const { rows } = await p.pool.query<{ slot: string }>(
          `SELECT slot::text FROM indexer_checkpoints WHERE name = 'projector'`,
        );
        const projected = Number(rows[0]?.slot ?? 0);
        const now = Date.now();
        for (let sl = highest + 1; sl <= projected; sl++) projectedAt.set(sl, now);
        highest = Math.max(highest, projected);
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    let i = 0;
    await runScenario({ spec, batches: churn }, yielding(paced), {
      onBatch: (_idx) => {
        const accts: Buffer[] = [];
        for (const st of churn[i++] ?? []) {
          if (st.kind === 'transfer') accts.push(accountOf(st.from, st.track), accountOf(st.to, st.track));
          else if (st.kind === 'mint' || st.kind === 'burn' || st.kind === 'open_account')
            accts.push(accountOf(st.holder, st.track));
        }
        written.set(open, accts);
      },
    });
    const elapsed = (Date.now() - tStart) / 1000;
    await admin(2);
    const last = Math.max(...written.keys());
    await waitFor(() => highest >= last, { timeoutMs: 180000, what: 'lag run projected' });
    polling = false;
    await poller;
    const lags: number[] = [];
    for (const slot of written.keys()) {
      const c = confirmedAt.get(slot);
      const q = projectedAt.get(slot);
      if (c !== undefined && q !== undefined) lags.push(Math.max(0, q - c));
    }
    return { p50: pct(lags, 50), p99: pct(lags, 99), slots: lags.length, achieved: (sent * 2) / elapsed };
  } finally {
    watch.destroy();
    await ingest.stop();
    await projector.stop();
    await p.close();
    chainProc.kill('SIGTERM');
  }
}

async function main(): Promise<void> {
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
  log(`end to end: churn ${CHURN}, holders ${HOLDERS}`);
  const e2e = await endToEnd();
  const updatesPerS = (e2e.records / e2e.ms) * 1000;
  log(`end to end: ${e2e.records} records in ${e2e.ms} ms = ${round(updatesPerS)} updates/s`);
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
