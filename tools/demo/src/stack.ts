import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import type { DemoKeys } from './demo-keys';

const up3 = path.resolve(__dirname, '..', '..', '..');
/** The repository root, from the sources (tools/demo/src) or from the build (dist/tools/demo/src). */
export const ROOT = path.basename(up3) === 'dist' ? path.dirname(up3) : up3;

export type AppName = 'localnet' | 'registry' | 'indexer' | 'prover' | 'gateway';
export const APPS: AppName[] = ['registry', 'indexer', 'prover', 'gateway'];

export interface StackOptions {
  /** PostgreSQL, Kafka and Redis settings (scripts/infra.sh env). */
  infra: { DATABASE_URL: string; KAFKA_BROKERS: string; REDIS_URL: string };
  schema: string;
  keys: DemoKeys;
  /** Folder of the (test) CRS; `allowTestCrs` must be true for a non-Ignition one. */
  crsPath: string;
  allowTestCrs: boolean;
  /** Fixed ports (main job) or 0 = free ports (tests). */
  ports?: Partial<Record<AppName, number>>;
  /** Start the local chain (default) or use these endpoints. */
  chain?: { geyserEndpoint: string; rpcUrl: string; xToken?: string };
  localnet?: { slotMs?: number; seed?: string };
  /** Run compiled apps from dist/ (main job) instead of TypeScript sources (tests). */
  useDist?: boolean;
  logDir: string;
  /** Extra environment per app (tests). */
  extraEnv?: Partial<Record<AppName, Record<string, string>>>;
  logLevel?: string;
  /** Suffix of every consumer group id, so this stack shares no group with anything else on the cluster. */
  groupSuffix?: string;
}

export interface RunningApp {
  name: AppName;
  proc: ChildProcess;
  url: string;
  logFile: string;
  exited: Promise<number | string>;
}

export interface Stack {
  apps: Record<AppName, RunningApp | undefined>;
  urls: { registry: string; indexer: string; prover: string; gateway: string; rpc: string; grpc: string };
  stop(signal?: NodeJS.Signals): Promise<Record<string, number | string>>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function entry(name: AppName, useDist: boolean): string[] {
  const src = name === 'localnet' ? 'tools/localnet/src/main' : `apps/${name}/src/main`;
  // The local chain is a dev tool that reads its .proto files next to its sources: always from source.
  if (useDist && name !== 'localnet') return [path.join(ROOT, 'dist', `${src}.js`)];
  return ['-r', '@swc-node/register', path.join(ROOT, `${src}.ts`)];
}

function launch(
  name: AppName,
  env: Record<string, string>,
  opts: StackOptions,
): RunningApp & { output: () => string } {
  fs.mkdirSync(opts.logDir, { recursive: true });
  const logFile = path.join(opts.logDir, `${name}.log`);
  const log = fs.openSync(logFile, 'w');
  const proc = spawn(process.execPath, entry(name, opts.useDist ?? false), {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      TS_NODE_PROJECT: path.join(ROOT, 'tsconfig.json'),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (d: Buffer) => {
    fs.writeSync(log, d);
    if (out.length < 200_000) out += d.toString();
  };
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  const exited = new Promise<number | string>((resolve) =>
    proc.once('exit', (code, sig) => {
      fs.closeSync(log);
      resolve(code ?? sig ?? -1);
    }),
  );
  return { name, proc, url: '', logFile, exited, output: () => out };
}

async function waitUntil(
  what: string,
  deadlineMs: number,
  probe: () => Promise<boolean>,
  app: { exited: Promise<unknown>; logFile: string; proc: ChildProcess },
): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  let gone = false;
  void app.exited.then(() => (gone = true));
  for (;;) {
    if (gone) throw new Error(`${what} exited during start-up; see ${app.logFile}:\n${tail(app.logFile)}`);
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline)
      throw new Error(
        `${what} not ready after ${deadlineMs / 1000} s; see ${app.logFile}:\n${tail(app.logFile)}`,
      );
    await new Promise((r) => setTimeout(r, 200));
  }
}

export function tail(file: string, lines = 15): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

const ready = async (url: string) => (await fetch(`${url}/health/ready`)).status === 200;

/**
 * Starts the local chain (unless `chain` names real endpoints) and the four apps as processes,
 * each with the settings it needs, and waits until each reports ready. `stop()` sends SIGTERM
 * (or the given signal) to every process, waits for each to drain and exit, and returns their
 * exit codes.
 */
export async function startStack(opts: StackOptions): Promise<Stack> {
  const port = async (a: AppName, dflt: number) => opts.ports?.[a] ?? (opts.ports ? dflt : await freePort());
  const ports = {
    registry: await port('registry', 3001),
    prover: await port('prover', 3002),
    indexer: await port('indexer', 3003),
    gateway: await port('gateway', 3000),
  };
  const running: Partial<Record<AppName, RunningApp>> = {};
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    const codes: Record<string, number | string> = {};
    // Apps first (they drain into Kafka/PostgreSQL and may still talk to the chain), then the chain.
    const order: AppName[] = ['gateway', 'prover', 'indexer', 'registry', 'localnet'];
    for (const group of [order.slice(0, 4), order.slice(4)]) {
      await Promise.all(
        group.map(async (n) => {
          const a = running[n];
          if (!a) return;
          if (a.proc.exitCode === null && a.proc.signalCode === null) a.proc.kill(signal);
          const timer = setTimeout(() => a.proc.kill('SIGKILL'), 25_000);
          codes[n] = await a.exited;
          clearTimeout(timer);
        }),
      );
    }
    return codes;
  };

  try {
    let rpcUrl = opts.chain?.rpcUrl ?? '';
    let grpc = opts.chain?.geyserEndpoint ?? '';
    if (!opts.chain) {
      const rpcPort = opts.ports?.localnet ?? (opts.ports ? 8899 : await freePort());
      const grpcPort = opts.ports ? 10000 : await freePort();
      const ln = launch(
        'localnet',
        {
          RV_LOCALNET_RPC_PORT: String(rpcPort),
          RV_LOCALNET_GRPC_PORT: String(grpcPort),
          RV_LOCALNET_SLOT_MS: String(opts.localnet?.slotMs ?? 400),
          RV_LOCALNET_SEED: opts.localnet?.seed ?? 'rv-localnet',
        },
        opts,
      );
      running.localnet = ln;
      await waitUntil('localnet', 60_000, async () => ln.output().includes('localnet up'), ln);
      rpcUrl = `http://127.0.0.1:${rpcPort}`;
      grpc = `http://127.0.0.1:${grpcPort}`;
      ln.url = rpcUrl;
    }
    const common = {
      ...opts.infra,
      DATABASE_SCHEMA: opts.schema,
      HOST: '127.0.0.1',
      LOG_LEVEL: opts.logLevel ?? 'info',
      NODE_ENV: 'development',
      SOLANA_RPC_URL: rpcUrl,
    };
    const url = (p: number) => `http://127.0.0.1:${p}`;
    const g = opts.groupSuffix ? `-${opts.groupSuffix}` : '';
    const env: Record<Exclude<AppName, 'localnet'>, Record<string, string>> = {
      registry: {
        ...common,
        PORT: String(ports.registry),
        ROOT_AUTHORITY_KEYPAIR_FILE: opts.keys.rootAuthorityFile,
        ROOT_PUBLISHER_ENABLED: 'true',
        TREE_WRITER_GROUP: `rv-registry-tree-writer${g}`,
        ROOT_PUBLISHER_GROUP: `rv-registry-root-publisher${g}`,
      },
      indexer: {
        ...common,
        PORT: String(ports.indexer),
        GEYSER_ENDPOINT: grpc,
        PROJECTOR_GROUP: `rv-indexer-projector${g}`,
        ...(opts.chain?.xToken ? { GEYSER_X_TOKEN: opts.chain.xToken } : {}),
      },
      prover: {
        ...common,
        PORT: String(ports.prover),
        REGISTRY_URL: url(ports.registry),
        CRS_PATH: opts.crsPath,
        ALLOW_TEST_CRS: String(opts.allowTestCrs),
        PROVER_JOB_KEY_FILE: opts.keys.jobKeyFile,
        PROVER_GROUP_ID: `rv-prover${g}`,
      },
      gateway: {
        ...common,
        PORT: String(ports.gateway),
        REGISTRY_URL: url(ports.registry),
        PROVER_URL: url(ports.prover),
        API_KEY_PEPPER_FILE: opts.keys.pepperFile,
        // Read cache and rate-limit counters of this stack only (a reset chain reuses (track, seq) keys).
        REDIS_PREFIX: `rv:gw:${opts.groupSuffix ?? 'stack'}:`,
        VERIFIER_KEYPAIR_FILE: opts.keys.verifierFile,
        CRS_PATH: opts.crsPath,
        ALLOW_TEST_CRS: String(opts.allowTestCrs),
      },
    };
    // The registry first (the prover and gateway read from it), then the others together.
    for (const group of [['registry'], ['indexer', 'prover', 'gateway']] as const) {
      const started = group.map((n) => {
        const a = launch(n, { ...env[n], ...(opts.extraEnv?.[n] ?? {}) }, opts);
        a.url = url(ports[n]);
        running[n] = a;
        return a;
      });
      await Promise.all(started.map((a) => waitUntil(a.name, 120_000, () => ready(a.url), a)));
    }
    return {
      apps: {
        localnet: running.localnet,
        registry: running.registry,
        indexer: running.indexer,
        prover: running.prover,
        gateway: running.gateway,
      },
      urls: {
        registry: url(ports.registry),
        indexer: url(ports.indexer),
        prover: url(ports.prover),
        gateway: url(ports.gateway),
        rpc: rpcUrl,
        grpc,
      },
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
