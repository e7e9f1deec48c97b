// The main job: the whole system on the local chain (or real endpoints), with a demo partner.
//   node -r @swc-node/register tools/demo/src/main.ts [flags]   (scripts/main.sh runs it after set-up)
// Flags: --seed S --tracks N --holders M --churn K --churn-per-slot R --slot-ms MS
//        --exit-when-done (non-interactive: stop everything after the demo; used by the full-system test)
//        --result FILE (write the end state as JSON)  --free-ports (any free ports, for tests)
//        --from-source (run the apps from their TypeScript sources instead of dist/)
// Real clusters: DATABASE_URL / KAFKA_BROKERS / REDIS_URL. Real chain: GEYSER_ENDPOINT + SOLANA_RPC_URL
// (then no local chain, no scenario and no demo listener: the services run and the status prints).
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Client } from 'pg';
import { z } from 'zod';
import { env as envTypes, parseConfig } from '@rv/config';
import { expectedState, planScenario, rpcTarget, runScenario, type ScenarioSpec } from '../../localnet/src';
import { demoScenario } from './demo-scenario';
import { ensureTestCrs } from '../../../circuits/scripts/test-crs';
import { ensureDemoKeys } from './demo-keys';
import { runPartnerDemo, type PartnerDemoResult } from './partner-demo';
import { resetDemoState } from './reset';
import { checkSettled } from './settle';
import { ROOT, startStack, type Stack } from './stack';
import { formatStatus, StatusSampler, type StatusSample } from './status';

const settings = parseConfig(
  z.object({
    DATABASE_URL: envTypes.databaseUrl(),
    KAFKA_BROKERS: envTypes.kafkaBrokers(),
    REDIS_URL: envTypes.redisUrl(),
    GEYSER_ENDPOINT: envTypes.httpUrl('https://your-provider:443').optional(),
    GEYSER_X_TOKEN: z.string().optional(),
    SOLANA_RPC_URL: envTypes.httpUrl('https://your-rpc').optional(),
    RV_DEMO_SCHEMA: z
      .string()
      .regex(/^[a-z_][a-z0-9_]*$/)
      .default('rv_demo')
      .describe('a lower-case schema name'),
    RV_EXTERNAL_INFRA: envTypes.bool(false),
    CRS_PATH: z.string().optional(),
  }),
);

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
function num(name: string, dflt: number): number {
  const v = flag(name);
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} expects a non-negative number, got "${v}"`);
  return n;
}

const realChain = Boolean(settings.GEYSER_ENDPOINT || settings.SOLANA_RPC_URL);
if (realChain && !(settings.GEYSER_ENDPOINT && settings.SOLANA_RPC_URL)) {
  throw new Error('set both GEYSER_ENDPOINT and SOLANA_RPC_URL to use a real chain');
}
const exitWhenDone = process.argv.includes('--exit-when-done');
const numFlag = (name: string): number | undefined => (flag(name) === undefined ? undefined : num(name, 0));
const spec: ScenarioSpec = demoScenario({
  seed: flag('seed'),
  tracks: numFlag('tracks'),
  holders: numFlag('holders'),
  initialHolders: numFlag('initial-holders'),
  churn: numFlag('churn'),
  churnPerSlot: numFlag('churn-per-slot'),
});
const bold = (s: string) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const say = (s: string) => process.stdout.write(`${s}\n`);

let stack: Stack | undefined;
let sampler: StatusSampler | undefined;
let ticker: NodeJS.Timeout | undefined;
let stopping: Promise<void> | undefined;

/** Stops the status ticker and every process of the stack (apps drain, then the chain), then exits. */
function shutdown(why: string, code: number): Promise<void> {
  if (stopping) return stopping;
  stopping = (async () => {
    say(`\n${why}: stopping every process...`);
    if (ticker) clearInterval(ticker);
    await sampler?.close();
    const codes = (await stack?.stop('SIGTERM')) ?? {};
    for (const [n, c] of Object.entries(codes))
      say(`  ${n.padEnd(8)} ${c === 0 ? 'stopped cleanly' : `exited with ${c}`}`);
    process.exit(code);
  })();
  return stopping;
}

async function main(): Promise<void> {
  const t0 = Date.now();
  // on, not once: Ctrl-C reaches every process of the group and scripts/main.sh forwards it too;
  // shutdown() is idempotent, a second signal must not kill this process mid-stop.
  process.on('SIGINT', () => void shutdown('Ctrl-C', 0));
  process.on('SIGTERM', () => void shutdown('SIGTERM', 0));
  const local = path.join(ROOT, '.local');
  const schema = settings.RV_DEMO_SCHEMA;
  const brokers = settings.KAFKA_BROKERS;
  if (!realChain && !settings.RV_EXTERNAL_INFRA) {
    say('resetting the local demo state (schema, topics)');
    await resetDemoState({
      databaseUrl: settings.DATABASE_URL,
      schema,
      brokers,
      redisUrl: settings.REDIS_URL,
    });
  }
  const keys = ensureDemoKeys(path.join(local, 'keys', 'demo'), spec.seed);
  const crsPath = settings.CRS_PATH ?? ensureTestCrs(path.join(local, 'crs-test'));
  const allowTestCrs = !settings.CRS_PATH;
  if (allowTestCrs)
    say(
      "prover: using the project's INSECURE test CRS (local only; set CRS_PATH to an Ignition CRS folder otherwise)",
    );

  say('starting the local chain and the four apps...');
  const running = await startStack({
    infra: {
      DATABASE_URL: settings.DATABASE_URL,
      KAFKA_BROKERS: brokers.join(','),
      REDIS_URL: settings.REDIS_URL,
    },
    schema,
    keys,
    crsPath,
    allowTestCrs,
    ports:
      exitWhenDone || process.argv.includes('--free-ports')
        ? undefined
        : { gateway: 3000, registry: 3001, prover: 3002, indexer: 3003, localnet: 8899 },
    chain: realChain
      ? {
          geyserEndpoint: settings.GEYSER_ENDPOINT!,
          rpcUrl: settings.SOLANA_RPC_URL!,
          xToken: settings.GEYSER_X_TOKEN,
        }
      : undefined,
    localnet: { slotMs: num('slot-ms', 100), seed: spec.seed },
    useDist:
      fs.existsSync(path.join(ROOT, 'dist', 'apps', 'gateway', 'src', 'main.js')) &&
      !process.argv.includes('--from-source'),
    logDir: path.join(local, 'logs'),
    groupSuffix: `demo-${Date.now().toString(36)}`,
  });
  stack = running;

  say(`
${bold('Rainbow Veil is up')} (${((Date.now() - t0) / 1000).toFixed(1)} s)
  gateway   ${running.urls.gateway}   API docs: ${running.urls.gateway}/docs   metrics: /metrics
  registry  ${running.urls.registry}   docs: /docs
  prover    ${running.urls.prover}   docs: /docs
  indexer   ${running.urls.indexer}   metrics: /metrics
  chain     JSON-RPC ${running.urls.rpc}   Yellowstone gRPC ${running.urls.grpc}
  logs      ${path.join(local, 'logs')}/<app>.log
Ctrl-C stops everything.
`);

  sampler = new StatusSampler({
    rpcUrl: running.urls.rpc,
    indexerUrl: running.urls.indexer,
    registryUrl: running.urls.registry,
    proverUrl: running.urls.prover,
    databaseUrl: settings.DATABASE_URL,
    schema,
  });
  let latest: StatusSample | undefined;
  const tick = async () => {
    try {
      latest = await sampler!.sample();
      say(`  [status] ${formatStatus(latest)}`);
    } catch (e) {
      say(`  [status] unavailable: ${(e as Error).message}`);
    }
  };
  ticker = setInterval(() => void tick(), exitWhenDone ? 5000 : 2000);

  if (realChain) {
    say(
      'real chain: no scenario and no demo listener (their secrets exist only on the local chain). Watching status.',
    );
    return;
  }

  const plan = planScenario(spec);
  say(
    `scenario "${spec.seed}": ${spec.tracks} tracks, ${spec.holders} holders, ${spec.churn} ownership changes at ${spec.churnPerSlot}/slot ` +
      `(${plan.batches.flat().length} transactions)`,
  );
  const tScenario = Date.now();
  const { signatures } = await runScenario(plan, rpcTarget(running.urls.rpc));
  say(
    `scenario sent: ${signatures.length} transactions in ${((Date.now() - tScenario) / 1000).toFixed(1)} s; waiting for the indexer, trees and accepted roots...`,
  );

  const expected = expectedState(plan);
  const db = new Client({ connectionString: settings.DATABASE_URL, options: `-c search_path=${schema}` });
  await db.connect();
  const deadline = Date.now() + 180_000;
  for (;;) {
    const s = await checkSettled(db, expected);
    if (s.settled) break;
    if (Date.now() > deadline)
      throw new Error(`the system did not reach the scenario's end state in 180 s: ${s.detail}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  say(
    `end state reached in ${((Date.now() - tScenario) / 1000).toFixed(1)} s after the scenario started: every expected leaf is in its tree and every newest root is accepted on chain`,
  );

  const apiKey = createDemoPartnerKey(running, schema, keys.pepperFile);
  say('demo partner key created (scopes read, prove, verify, analytics)');
  const demo: PartnerDemoResult = await runPartnerDemo({
    gatewayUrl: running.urls.gateway,
    apiKey,
    plan,
    scope: BigInt(Math.floor(Date.now() / 1000)),
    log: (l) => say(`  [partner] ${l}`),
  });
  await tick();
  const summary = {
    ok: demo.replayStatus === 409,
    seconds: (Date.now() - t0) / 1000,
    demo,
    status: latest,
    expected: { leaves: Object.fromEntries(Object.entries(expected.leaves).map(([k, v]) => [k, v.length])) },
  };
  const resultFile = flag('result');
  if (resultFile)
    fs.writeFileSync(
      resultFile,
      JSON.stringify(summary, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2),
    );
  say(
    `\n${bold(summary.ok ? 'Demo complete' : 'Demo FAILED')}: proof verified and recorded on chain, the replay was refused with HTTP ${demo.replayStatus} (${summary.seconds.toFixed(1)} s since start)`,
  );
  await db.end();
  if (exitWhenDone) await shutdown('done', summary.ok ? 0 : 1);
  else say('The system keeps running; Ctrl-C stops everything.');
}

/** Creates the demo partner's API key with the gateway's own CLI; the key is held in memory only. */
function createDemoPartnerKey(stack: Stack, schema: string, pepperFile: string): string {
  const useDist = stack.apps.gateway?.proc.spawnargs.some((a) => a.endsWith('.js')) ?? false;
  const cli = useDist
    ? [path.join(ROOT, 'dist/apps/gateway/src/cli/keys.js')]
    : ['-r', '@swc-node/register', path.join(ROOT, 'apps/gateway/src/cli/keys.ts')];
  const r = spawnSync(
    process.execPath,
    [
      ...cli,
      'create',
      '--name',
      'Demo partner',
      '--scopes',
      'read,prove,verify,analytics',
      '--plan',
      'standard',
      '--json',
    ],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        DATABASE_URL: settings.DATABASE_URL,
        DATABASE_SCHEMA: schema,
        API_KEY_PEPPER_FILE: pepperFile,
      },
      encoding: 'utf8',
    },
  );
  if (r.status !== 0) throw new Error(`could not create the demo partner key: ${r.stderr.trim()}`);
  const out = JSON.parse(r.stdout) as { key?: string; apiKey?: string };
  const key = out.key ?? out.apiKey;
  if (!key) throw new Error('the key CLI printed no key');
  return key;
}

main().catch((e: unknown) => {
  process.stderr.write(`main job failed: ${(e as Error).message}\n`);
  void shutdown('failure', 1);
});
