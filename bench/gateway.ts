// npm run bench -- gateway
// Cached root and path reads through the gateway (API key, per-IP + per-key limits in Redis,
// (track, seq) read cache in memory in front of Redis) side by side with the same reads from the
// registry directly, in one run: autocannon, concurrency 64, BENCH_DURATION_S seconds each
// (default 30). The gateway and the registry each run as their own process; both hit a depth-20
// tree of BENCH_LEAVES leaves.
// The IP limit is raised for the run (all load comes from 127.0.0.1); LOG_LEVEL=warn for both apps.
// Env: BENCH_DURATION_S (30), BENCH_CONNECTIONS (64), BENCH_LEAVES (1000), BENCH_PATHS (100),
//      BENCH_GATEWAY_PROFILE (a folder: writes a CPU profile of the gateway under load there),
//      DATABASE_URL, REDIS_URL, KAFKA_BROKERS.
import { readFileSync } from 'fs';
import * as path from 'path';
import { Pool } from 'pg';
import { createDataSource, runMigrations } from '@rv/db';
import { freePort, spawnApp, testEnv, uniqueName, waitFor, type SpawnedApp } from '@rv/testing';
import { ApplyLeafChanges } from '../apps/registry/src/trees/apply-leaf-changes';
import { applyRegistryMigration } from '../apps/registry/test/registry-test-app';
import { ApiKeysRepository } from '../apps/gateway/src/auth/api-keys.repository';
import { createApiKey } from '../apps/gateway/src/auth/create-api-key';
import { loadRequests, type LoadResult } from './gateway/load';

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 30);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
const LEAVES = Number(process.env.BENCH_LEAVES ?? 1000);
const PATHS = Number(process.env.BENCH_PATHS ?? 100);
const PROFILE_DIR = process.env.BENCH_GATEWAY_PROFILE;
const TRACK = 1n;
const PEPPER = 'bench-pepper-0123456789abcdef0123456789abcdef';
const log = (msg: string): void => console.error(`[bench gateway] ${msg}`);

/** Starts an app on a free port with LOG_LEVEL=warn (no per-request logs) and waits until it is ready. */
async function start(name: string, env: Record<string, string>): Promise<{ app: SpawnedApp; url: string }> {
  const port = await freePort();
  const app = spawnApp(name, { ...env, PORT: String(port), LOG_LEVEL: 'warn' });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(async () => (await fetch(`${url}/health/ready`)).status === 200, {
      what: `${name} ready`,
      timeoutMs: 90_000,
      intervalMs: 200,
    });
  } catch (e) {
    app.proc.kill('SIGKILL');
    throw new Error(`${name}: ${(e as Error).message} ${app.stderr().slice(-1000)}`);
  }
  return { app, url };
}

/** CPU time (user + system, ms) a process has used so far (Linux /proc). */
function cpuMs(pid: number | undefined): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime in clock ticks (100/s)
  } catch {
    return NaN;
  }
}

async function stop(app: SpawnedApp | undefined): Promise<void> {
  if (!app || app.proc.exitCode !== null) return;
  app.proc.kill('SIGTERM');
  await app.exited;
}

async function main(): Promise<void> {
  const env = testEnv();
  const schema = uniqueName('bench_gateway');
  await runMigrations({ url: env.DATABASE_URL, schema });
  await applyRegistryMigration(env.DATABASE_URL, schema);
  const pool = new Pool({ connectionString: env.DATABASE_URL, max: 2, options: `-c search_path=${schema}` });
  let registry: SpawnedApp | undefined;
  let gateway: SpawnedApp | undefined;
  try {
    const leaves = Array.from(
      { length: LEAVES },
      (_, i) => (BigInt(i + 1) * 0x9e3779b97f4a7c15f39cc0605cedc835n) % 2n ** 250n,
    );
    await new ApplyLeafChanges(pool, 20).apply({
      trackId: TRACK,
      seq: 1,
      slot: 10,
      depth: 20,
      changes: leaves.map((leaf) => ({ type: 'append' as const, leaf })),
    });
    await pool.query(`UPDATE merkle_roots SET accepted = true WHERE track_id = $1 AND seq = 1`, [
      TRACK.toString(),
    ]);
    log(`tree of ${LEAVES} leaves written (schema ${schema})`);

    const ds = createDataSource({ url: env.DATABASE_URL, schema, poolSize: 1 });
    await ds.initialize();
    const { key } = await createApiKey(
      new ApiKeysRepository(ds),
      Buffer.from(PEPPER),
      { name: 'bench', scopes: ['read'], plan: 'unlimited' },
      ['unlimited'],
    );
    await ds.destroy();

    const r = await start('registry', {
      DATABASE_URL: env.DATABASE_URL,
      DATABASE_SCHEMA: schema,
      KAFKA_BROKERS: env.KAFKA_BROKERS,
    });
    registry = r.app;
    const registryUrl = r.url;
    const g = await start('gateway', {
      DATABASE_URL: env.DATABASE_URL,
      DATABASE_SCHEMA: schema,
      REDIS_URL: env.REDIS_URL,
      REDIS_PREFIX: `${uniqueName('bench_gw')}:`,
      REGISTRY_URL: registryUrl,
      API_KEY_PEPPER: PEPPER,
      RATE_LIMIT_IP_PER_MIN: '100000000',
      ...(PROFILE_DIR
        ? {
            NODE_OPTIONS: `-r ${path.join(__dirname, 'gateway', 'cpu-profile.js')}`,
            BENCH_GATEWAY_PROFILE: path.resolve(PROFILE_DIR),
          }
        : {}),
    });
    gateway = g.app;
    const gatewayUrl = g.url;
    const auth = { authorization: `Bearer ${key}` };

    const gwPaths = [
      `/v1/tracks/${TRACK}/root`,
      ...Array.from({ length: PATHS }, (_, i) => `/v1/tracks/${TRACK}/paths/${i}`),
    ];
    const directPaths = [
      `/v1/trees/${TRACK}/roots?limit=100`,
      ...Array.from({ length: PATHS }, (_, i) => `/v1/trees/${TRACK}/paths/${i}`),
    ];
    // warm: every cached answer once
    for (const p of gwPaths) {
      const r = await fetch(`${gatewayUrl}${p}`, { headers: auth });
      if (r.status !== 200) throw new Error(`warm-up ${p}: HTTP ${r.status} ${await r.text()}`);
    }

    log(`gateway: ${CONNECTIONS} connections, ${DURATION_S} s, root + ${PATHS} cached paths`);
    if (PROFILE_DIR) gateway.proc.kill('SIGUSR2'); // CPU profile of the gateway phase (and after: idle)
    let cpu0 = [cpuMs(gateway.proc.pid), cpuMs(registry.proc.pid)];
    const gw: LoadResult = await loadRequests({
      url: gatewayUrl,
      connections: CONNECTIONS,
      durationS: DURATION_S,
      paths: gwPaths,
      headers: auth,
    });
    // CPU per request is steadier than req/s on a shared machine; the registry should be idle (all cached)
    const gwCpu = (cpuMs(gateway.proc.pid) - cpu0[0]!) / gw.requests;
    const gwRegistryCpu = (cpuMs(registry.proc.pid) - cpu0[1]!) / gw.requests;
    log(
      `gateway: ${JSON.stringify(gw)} cpu ${gwCpu.toFixed(3)} ms/req (registry meanwhile ${gwRegistryCpu.toFixed(3)} ms/req)`,
    );
    cpu0 = [cpuMs(registry.proc.pid)];
    log(`registry direct: same reads, ${CONNECTIONS} connections, ${DURATION_S} s`);
    const direct: LoadResult = await loadRequests({
      url: registryUrl,
      connections: CONNECTIONS,
      durationS: DURATION_S,
      paths: directPaths,
      headers: {},
    });
    const directCpu = (cpuMs(registry.proc.pid) - cpu0[0]!) / direct.requests;
    log(`registry direct: ${JSON.stringify(direct)} cpu ${directCpu.toFixed(3)} ms/req`);
    if (gw.non2xx + gw.errors > 0 || direct.non2xx + direct.errors > 0)
      log('WARNING: some requests failed (see non2xx/errors)');

    console.log(
      JSON.stringify({
        bench: 'gateway',
        connections: CONNECTIONS,
        duration_s: DURATION_S,
        gateway_rps: gw.rps,
        gateway_p50_ms: gw.p50,
        gateway_p99_ms: gw.p99,
        gateway_non2xx: gw.non2xx,
        gateway_cpu_ms_per_req: Math.round(gwCpu * 1000) / 1000,
        registry_direct_rps: direct.rps,
        registry_direct_p50_ms: direct.p50,
        registry_direct_p99_ms: direct.p99,
        registry_direct_non2xx: direct.non2xx,
        registry_direct_cpu_ms_per_req: Math.round(directCpu * 1000) / 1000,
        load_average_1m: Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]),
      }),
    );
  } finally {
    await stop(gateway);
    await stop(registry);
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
    await pool.end();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
