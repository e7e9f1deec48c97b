import { DEFAULT_SCENARIO, ScenarioSpec, expectedState, planScenario } from './plan';
import { rpcTarget, runScenario } from './run';

/**
 * Runs a scenario against a running localnet and prints the expected final state (no secrets:
 * identity secrets are derived from the seed by whoever needs them).
 *   node -r @swc-node/register tools/localnet/src/scenario/cli.ts [--rpc URL] [--seed S] [--tracks N]
 *     [--holders M] [--churn K] [--churn-per-slot R] [--verifications V] [--drop-after i,j] [--kill i,j]
 */
function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const num = (name: string, dflt: number) => {
  const v = arg(name);
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a non-negative number`);
  return n;
};
const list = (name: string) => (arg(name) ?? '').split(',').filter(Boolean).map(Number);

async function main() {
  const spec: ScenarioSpec = {
    seed: arg('seed') ?? DEFAULT_SCENARIO.seed,
    tracks: num('tracks', DEFAULT_SCENARIO.tracks),
    holders: num('holders', DEFAULT_SCENARIO.holders),
    identityShare: num('identity-share', DEFAULT_SCENARIO.identityShare),
    initialHoldersPerTrack: num('initial-holders', DEFAULT_SCENARIO.initialHoldersPerTrack),
    churn: num('churn', DEFAULT_SCENARIO.churn),
    churnPerSlot: Math.max(1, num('churn-per-slot', DEFAULT_SCENARIO.churnPerSlot)),
    verifications: num('verifications', DEFAULT_SCENARIO.verifications),
  };
  const plan = planScenario(spec);
  const rpc = arg('rpc') ?? 'http://127.0.0.1:8899';
  const t0 = Date.now();
  const { signatures } = await runScenario(plan, rpcTarget(rpc), {
    dropStreamsAfter: list('drop-after'),
    killBatches: list('kill'),
  });
  const expected = expectedState(plan);
  process.stdout.write(
    JSON.stringify({ spec, transactions: signatures.length, ms: Date.now() - t0, expected }) + '\n',
  );
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).message}\n`);
  process.exit(1);
});
