// npm run bench -- merkle
// Side by side in one run, depth 20:
//  - persisted batch append of 100k leaves through the tree writer (PostgreSQL, one transaction
//    per batch) vs @zk-kit/lean-imt (Semaphore's tree) in memory with the same Poseidon2;
//  - path serving over HTTP (the registry app in its own process), concurrency 32: single
//    paths and batches of 100 random indices at steady state (every path served once before), after
//    a cold-start run from an empty path cache (`cold_path_*`, BENCH_COLD_S, single paths: what
//    the first seconds after a new root look like, every path read and verified anew), next to
//    the raw limit of this machine (bench/merkle/raw-http-server.ts: a bare node:http server
//    copying random prebuilt paths of the same size into each answer, as a perfect cache would,
//    into reused answer buffers as the registry's paths fast lane does,
//    under the same load generators). Two load generators, same request mix
//    (bench/lib/http-load.ts), each run in turn: wrk (native; the unsuffixed figures)
//    when installed (scripts/prepare.d/20-bench-wrk.sh), and autocannon
//    (JavaScript, in this process; `*_autocannon`). Both run on the same 2 cores as the server,
//    so what the generator itself costs is taken from the server: measured per 100-path answer,
//    autocannon 0.13 ms CPU and wrk 0.04 ms, next to the registry's 0.15-0.19 ms. Same registry,
//    warm cache, 32 connections: wrk p99 7.5-8.5 ms at 6,000-6,600 req/s, autocannon 12-13 ms at
//    ~5,000 (it holds ~40% of the machine's CPU per request). The load average is reported, and
//    the server's CPU ms per request (`*_cpu_ms_per_req`, steadier than req/s on a shared machine)
//    and the load generator's (`*_loadgen_cpu_ms_per_req`: what it takes from the same 2 cores).
//    Both generators are closed-loop: at 32 connections the mean latency is 32 / rps (Little's
//    law), so a p99 of 10 ms needs well over 3,200 rps (the raw limit's batch answers, ~150 KB,
//    cost ~0.14 ms CPU each by themselves);
//  - hashes per second of every Poseidon2 implementation tried.
// Env: BENCH_LEAVES (100000), BENCH_BATCH (10000), BENCH_DURATION_S (30 per HTTP run),
//      BENCH_RAW_S (10 per raw-limit run), BENCH_COLD_S (10), BENCH_CONNECTIONS (32), BENCH_HASH_MS (2000 per
//      implementation), BENCH_WRK_THREADS (one per core), BENCH_LOAD_GENERATORS (wrk,autocannon),
//      BENCH_REGISTRY_NODE_OPTIONS (NODE_OPTIONS of the registry, e.g. --max-semi-space-size=32),
//      BENCH_REGISTRY_TRACE_GC (1: the log sums the registry's GC pauses per run; bench/merkle/trace-gc.js),
//      DATABASE_URL, KAFKA_BROKERS.
import { spawn } from 'child_process';
import { readFileSync } from 'fs';
import { cpus, loadavg } from 'os';
import * as path from 'path';
import { Client, Pool } from 'pg';
import { LeanIMT } from '@zk-kit/lean-imt';
import { getHasher, nativeHasherStatus } from '@rv/crypto';
import { runMigrations } from '@rv/db';
import { freePort, spawnApp, testEnv, uniqueName, waitFor } from '@rv/testing';
import { ApplyLeafChanges } from '../apps/registry/src/trees/apply-leaf-changes';
import { applyRegistryMigration } from '../apps/registry/test/registry-test-app';
import { measureHashRates } from './merkle/hash-rates';
import { load, wrkAvailable, type LoadGenerator, type LoadResult, type RequestMix } from './lib/http-load';

const LEAVES = Number(process.env.BENCH_LEAVES ?? 100_000);
const BATCH = Number(process.env.BENCH_BATCH ?? 10_000);
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 30);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const HASH_MS = Number(process.env.BENCH_HASH_MS ?? 2000);
const RAW_S = Number(process.env.BENCH_RAW_S ?? 10);
const COLD_S = Number(process.env.BENCH_COLD_S ?? 10);
const DEPTH = 20;
const TRACK = 1n;
const BATCH_PATHS = 100;
const TRACE_GC = process.env.BENCH_REGISTRY_TRACE_GC === '1';
const REGISTRY_NODE_OPTIONS = [
  process.env.BENCH_REGISTRY_NODE_OPTIONS ?? '',
  TRACE_GC ? `-r ${path.join(__dirname, 'merkle', 'trace-gc.js')}` : '',
]
  .join(' ')
  .trim();

const round = (x: number, d = 2): number => Math.round(x * 10 ** d) / 10 ** d;
const log = (msg: string): void => console.error(`[bench merkle] ${msg}`);
const load1 = (): number => round(loadavg()[0] ?? 0);

const SINGLE: RequestMix = { kind: 'get-random', prefix: `/v1/trees/${TRACK}/paths/`, max: LEAVES };
const BATCHED: RequestMix = {
  kind: 'post-indices',
  path: `/v1/trees/${TRACK}/paths`,
  max: LEAVES,
  count: BATCH_PATHS,
};

/** The generators to run, the first one's figures unsuffixed: wrk when installed, autocannon. */
function generators(): LoadGenerator[] {
  const asked = (process.env.BENCH_LOAD_GENERATORS ?? 'wrk,autocannon').split(',').map((g) => g.trim());
  const out: LoadGenerator[] = [];
  for (const g of asked) {
    if (g !== 'wrk' && g !== 'autocannon') throw new Error(`BENCH_LOAD_GENERATORS: unknown generator ${g}`);
    if (g === 'wrk' && !wrkAvailable()) {
      log(
        'wrk is not installed (apt-get install wrk, or scripts/prepare.d/20-bench-wrk.sh): autocannon only',
      );
      continue;
    }
    out.push(g);
  }
  if (out.length === 0) throw new Error('no load generator to run (BENCH_LOAD_GENERATORS)');
  return out;
}

/** GC pauses in --trace-gc output (`…: Scavenge … MB, 1.2 / 0.0 ms (…) allocation failure;`): count, total and longest ms per kind and reason. */
function gcPauses(trace: string): Record<string, { n: number; ms: number; max_ms: number }> {
  const out: Record<string, { n: number; ms: number; max_ms: number }> = {};
  for (const m of trace.matchAll(
    / ms: ([A-Za-z -]+?) [\d.]+ \([\d.]+\) -> [\d.]+ \([\d.]+\) MB, (?:pooled: [\d.]+ MB, )?([\d.]+) \/.*?current mu = [\d.]+\) ([^;]*);/g,
  )) {
    const kind = `${(m[1] as string).trim()} (${(m[3] as string).trim()})`;
    const k = (out[kind] ??= { n: 0, ms: 0, max_ms: 0 });
    k.n++;
    k.ms = round(k.ms + Number(m[2]));
    k.max_ms = Math.max(k.max_ms, Number(m[2]));
  }
  return out;
}

/**
 * CPU ms in a process's /proc stat (Linux; NaN elsewhere): its own (utime + stime) or, with
 * `children`, that of its reaped children (cutime + cstime); 100 ticks/s.
 */
function statCpuMs(pid: number | 'self' | undefined, children = false): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
    const at = children ? 13 : 11;
    return ((Number(fields[at]) + Number(fields[at + 1])) * 1000) / 100;
  } catch {
    return NaN;
  }
}

/** CPU time (user + system, ms) a process has used so far. */
const cpuMs = (pid: number | undefined): number => statCpuMs(pid);

/**
 * CPU ms the load generator has used so far: this process (autocannon runs in it) and its reaped
 * children (wrk, once exited). Per request it shows what the generator takes from the 2 cores.
 */
function loadgenCpuMs(): number {
  const own = process.cpuUsage();
  return (own.user + own.system) / 1000 + statCpuMs('self', true);
}

/** Runs one load; records the server's and the generator's CPU ms per request under `key`. */
async function measureCpu(
  cpuPerReq: Record<string, number>,
  key: string,
  serverPid: number | undefined,
  run: () => Promise<LoadResult>,
): Promise<LoadResult> {
  const server0 = cpuMs(serverPid);
  const gen0 = loadgenCpuMs();
  const r = await run();
  cpuPerReq[key] = round((cpuMs(serverPid) - server0) / r.requests, 3);
  cpuPerReq[`${key}_loadgen`] = round((loadgenCpuMs() - gen0) / r.requests, 3);
  return r;
}

type Runs = Partial<Record<LoadGenerator, LoadResult>>;

/** Single and 100-path loads against the raw-limit server (bench/merkle/raw-http-server.ts). */
async function rawLimit(
  gens: LoadGenerator[],
): Promise<{ single: Runs; batch: Runs; cpuPerReq: Record<string, number> }> {
  const proc = spawn(
    process.execPath,
    ['-r', '@swc-node/register', path.join(__dirname, 'merkle', 'raw-http-server.ts')],
    { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, RAW_LEAVES: String(LEAVES) } },
  );
  try {
    const port = await new Promise<number>((resolve, reject) => {
      proc.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
      proc.once('exit', (code) => reject(new Error(`raw server exited ${code}`)));
    });
    const url = `http://127.0.0.1:${port}`;
    const single: Runs = {};
    const batch: Runs = {};
    const cpuPerReq: Record<string, number> = {};
    const run = (key: string, mix: RequestMix, g: LoadGenerator): Promise<LoadResult> =>
      measureCpu(cpuPerReq, key, proc.pid, () =>
        load(g, { url, connections: CONNECTIONS, durationS: RAW_S, mix }),
      );
    for (const g of gens) single[g] = await run(`path_${g}`, SINGLE, g);
    for (const g of gens) batch[g] = await run(`batch_path_${g}`, BATCHED, g);
    return { single, batch, cpuPerReq };
  } finally {
    proc.kill('SIGTERM');
  }
}

/** The JSON figures of one generator's runs, keys suffixed (e.g. `_autocannon`) or not. */
function httpFigures(
  suffix: string,
  r: {
    single: LoadResult;
    batch: LoadResult;
    rawSingle: LoadResult;
    rawBatch: LoadResult;
    cpuSingle: number;
    cpuBatch: number;
    rawCpuSingle: number;
    rawCpuBatch: number;
    loadgenCpuSingle: number;
    loadgenCpuBatch: number;
  },
): Record<string, number> {
  const f: Record<string, number> = {
    path_rps: r.single.rps,
    path_p50_ms: r.single.p50,
    path_p99_ms: r.single.p99,
    path_errors: r.single.errors + r.single.non2xx,
    path_cpu_ms_per_req: r.cpuSingle,
    batch_path_rps: r.batch.rps,
    batch_path_p50_ms: r.batch.p50,
    batch_path_p99_ms: r.batch.p99,
    batch_path_errors: r.batch.errors + r.batch.non2xx,
    batch_path_cpu_ms_per_req: r.cpuBatch,
    path_loadgen_cpu_ms_per_req: r.loadgenCpuSingle,
    batch_path_loadgen_cpu_ms_per_req: r.loadgenCpuBatch,
    raw_path_rps: r.rawSingle.rps,
    raw_path_p50_ms: r.rawSingle.p50,
    raw_path_p99_ms: r.rawSingle.p99,
    raw_batch_path_rps: r.rawBatch.rps,
    raw_batch_path_p50_ms: r.rawBatch.p50,
    raw_batch_path_p99_ms: r.rawBatch.p99,
    raw_path_cpu_ms_per_req: r.rawCpuSingle,
    raw_batch_path_cpu_ms_per_req: r.rawCpuBatch,
  };
  return Object.fromEntries(Object.entries(f).map(([k, v]) => [k + suffix, v]));
}

async function main(): Promise<void> {
  const env = testEnv();
  const hasher = getHasher();
  log(`poseidon2 default: ${hasher.name} (${nativeHasherStatus()})`);
  const leaves = Array.from(
    { length: LEAVES },
    (_, i) => (BigInt(i + 1) * 0x9e3779b97f4a7c15f39cc0605cedc835n) % 2n ** 250n,
  );

  // 1. lean-imt in memory, same hash.
  const lean = new LeanIMT<bigint>((a, b) => hasher.hash([a, b]));
  let t0 = performance.now();
  for (let i = 0; i < LEAVES; i += BATCH) lean.insertMany(leaves.slice(i, i + BATCH));
  const leanS = (performance.now() - t0) / 1000;
  log(`lean-imt: ${LEAVES} leaves in ${round(leanS)} s`);

  // 2. Persisted batch append through the tree writer.
  const schema = uniqueName('bench_merkle');
  await runMigrations({ url: env.DATABASE_URL, schema });
  const pool = new Pool({ connectionString: env.DATABASE_URL, max: 4, options: `-c search_path=${schema}` });
  const admin = new Client({ connectionString: env.DATABASE_URL });
  await admin.connect();
  let app: ReturnType<typeof spawnApp> | undefined;
  try {
    await applyRegistryMigration(env.DATABASE_URL, schema);
    const writer = new ApplyLeafChanges(pool, DEPTH, hasher);
    t0 = performance.now();
    let seq = 0;
    let root = 0n;
    for (let i = 0; i < LEAVES; i += BATCH) {
      const r = await writer.apply({
        trackId: TRACK,
        seq: ++seq,
        slot: seq,
        changes: leaves.slice(i, i + BATCH).map((leaf) => ({ type: 'append' as const, leaf })),
      });
      root = r.tree.root;
    }
    const appendS = (performance.now() - t0) / 1000;
    log(`persisted append: ${LEAVES} leaves in ${round(appendS)} s (${seq} batches of ${BATCH})`);
    // (lean-imt's root differs by design: dynamic depth, a lone node moves up unhashed.)
    await pool.query('ANALYZE');

    // 3. HTTP path serving (registry in its own process).
    const port = await freePort();
    app = spawnApp('registry', {
      DATABASE_URL: env.DATABASE_URL,
      DATABASE_SCHEMA: schema,
      KAFKA_BROKERS: env.KAFKA_BROKERS,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      TREE_WRITER_ENABLED: 'false',
      ...(REGISTRY_NODE_OPTIONS ? { NODE_OPTIONS: REGISTRY_NODE_OPTIONS } : {}),
    });
    const url = `http://127.0.0.1:${port}`;
    const started = app;
    await waitFor(async () => (await fetch(`${url}/health/ready`)).ok, {
      timeoutMs: 60000,
      what: 'registry ready',
    }).catch((e: Error) => {
      throw new Error(`${e.message}; registry stderr: ${started.stderr().slice(-1000)}`);
    });
    const check = (await (await fetch(`${url}/v1/trees/${TRACK}/paths/123`)).json()) as { root: string };
    if (BigInt(check.root) !== root) throw new Error('served root differs');
    const gens = generators();
    log(
      `HTTP: ${gens.join(' then ')}, ${CONNECTIONS} connections, ${DURATION_S} s per run, random indices ` +
        `of ${LEAVES}, on the same ${cpus().length} cores as the registry and PostgreSQL; load average ${load1()}`,
    );
    // Cold start: single paths from an empty path cache (as right after a new root, whose paths
    // are all read, verified and serialized anew), reported apart (`cold_path_*`).
    const cold = await load(gens[0] as LoadGenerator, {
      url,
      connections: CONNECTIONS,
      durationS: COLD_S,
      mix: SINGLE,
    });
    log(
      `cold cache, single paths (${gens[0]}, ${COLD_S} s): ${JSON.stringify(cold)}; load average ${load1()}`,
    );
    // Then every path once (batches of 1000): the measured runs below are the steady state.
    t0 = performance.now();
    for (let i = 0; i < LEAVES; i += 1000) {
      const indices = Array.from({ length: Math.min(1000, LEAVES - i) }, (_, k) => i + k);
      const res = await fetch(`${url}/v1/trees/${TRACK}/paths`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ indices }),
      });
      if (!res.ok) throw new Error(`cache warm-up: ${res.status} ${await res.text()}`);
      await res.arrayBuffer();
    }
    const warmS = (performance.now() - t0) / 1000;
    log(`path cache warmed: ${LEAVES} paths in ${round(warmS)} s`);
    const single: Runs = {};
    const batch: Runs = {};
    const registryOut = app.stdout;
    let gcFrom = registryOut().length;
    const gcSince = (): string => {
      if (!TRACE_GC) return '';
      const trace = registryOut().slice(gcFrom);
      gcFrom += trace.length;
      return `; registry GC pauses ${JSON.stringify(gcPauses(trace))}`;
    };
    // Registry CPU per request: steadier than req/s when other work shares the cores.
    const cpuPerReq: Record<string, number> = {};
    const measured = (key: string, run: () => Promise<LoadResult>): Promise<LoadResult> =>
      measureCpu(cpuPerReq, key, app?.proc.pid, run);
    for (const g of gens) {
      single[g] = await measured(`path_${g}`, () =>
        load(g, { url, connections: CONNECTIONS, durationS: DURATION_S, mix: SINGLE }),
      );
      log(
        `single paths (${g}): ${JSON.stringify(single[g])}, registry cpu ${cpuPerReq[`path_${g}`]} ms/req, ` +
          `load generator cpu ${cpuPerReq[`path_${g}_loadgen`]} ms/req; ` +
          `load average ${load1()}${gcSince()}`,
      );
    }
    for (const g of gens) {
      batch[g] = await measured(`batch_path_${g}`, () =>
        load(g, { url, connections: CONNECTIONS, durationS: DURATION_S, mix: BATCHED }),
      );
      log(
        `batch paths (${BATCH_PATHS}, ${g}): ${JSON.stringify(batch[g])}, registry cpu ` +
          `${cpuPerReq[`batch_path_${g}`]} ms/req, load generator cpu ${cpuPerReq[`batch_path_${g}_loadgen`]} ms/req; ` +
          `load average ${load1()}${gcSince()}`,
      );
    }
    const loadAfterRegistry = load1();
    app.proc.kill('SIGTERM');
    await app.exited;
    app = undefined;
    const raw = await rawLimit(gens);
    log(`raw limit (bare node:http, random prebuilt paths): ${JSON.stringify(raw)}; load average ${load1()}`);

    // 4. Hash rates of every implementation tried.
    const rates = await measureHashRates(HASH_MS);
    log(`hash rates: ${JSON.stringify(rates)}`);

    const result = {
      bench: 'merkle',
      depth: DEPTH,
      leaves: LEAVES,
      batch: BATCH,
      append_leaves_per_s: Math.round(LEAVES / appendS),
      lean_imt_leaves_per_s: Math.round(LEAVES / leanS),
      append_ratio: round(leanS / appendS),
      load_generator: gens[0],
      cold_path_rps: cold.rps,
      cold_path_p50_ms: cold.p50,
      cold_path_p99_ms: cold.p99,
      cold_path_s: COLD_S,
      cache_warmup_paths_per_s: Math.round(LEAVES / warmS),
      ...gens.reduce<Record<string, number>>(
        (acc, g, i) => ({
          ...acc,
          ...httpFigures(i === 0 ? '' : `_${g}`, {
            cpuSingle: cpuPerReq[`path_${g}`] as number,
            cpuBatch: cpuPerReq[`batch_path_${g}`] as number,
            loadgenCpuSingle: cpuPerReq[`path_${g}_loadgen`] as number,
            loadgenCpuBatch: cpuPerReq[`batch_path_${g}_loadgen`] as number,
            rawCpuSingle: raw.cpuPerReq[`path_${g}`] as number,
            rawCpuBatch: raw.cpuPerReq[`batch_path_${g}`] as number,
            single: single[g] as LoadResult,
            batch: batch[g] as LoadResult,
            rawSingle: raw.single[g] as LoadResult,
            rawBatch: raw.batch[g] as LoadResult,
          }),
        }),
        {},
      ),
      batch_path_size: BATCH_PATHS,
      http_duration_s: DURATION_S,
      raw_duration_s: RAW_S,
      connections: CONNECTIONS,
      cpus: cpus().length,
      load_avg_1m: loadAfterRegistry,
      hash_impl: hasher.name,
      hashes_per_s: rates.hashes_per_s,
      ...rates,
    };
    console.log(JSON.stringify(result));
  } finally {
    if (app) {
      app.proc.kill('SIGTERM');
      await app.exited;
    }
    await pool.end();
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
