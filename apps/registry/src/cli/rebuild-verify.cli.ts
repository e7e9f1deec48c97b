// Recomputes trees from their leaves and checks every stored node and the root history.
//   node -r @swc-node/register apps/registry/src/cli/rebuild-verify.cli.ts [trackId ...]
// Settings: DATABASE_URL, DATABASE_SCHEMA (as the registry). Exit 0: all match; 1: mismatch; 2: error.
import { SingleBar, Presets } from 'cli-progress';
import { RebuildAndVerify } from '../trees/rebuild-and-verify';
import { cliPool } from './cli-pool';

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  for (const a of args) {
    if (!/^\d{1,20}$/.test(a)) {
      console.error(`usage: rebuild-verify.cli.ts [trackId ...]; "${a}" is not a track id`);
      return 2;
    }
  }
  const { pool } = cliPool();
  const bar = new SingleBar(
    {
      format: 'track {track} {phase} [{bar}] {value}/{total}',
      stream: process.stderr,
      noTTYOutput: true,
      notTTYSchedule: 2000,
    },
    Presets.shades_classic,
  );
  let current = '';
  try {
    const reports = await new RebuildAndVerify(pool).run(args.length ? args.map(BigInt) : undefined, (p) => {
      const key = `${p.trackId}:${p.phase}`;
      if (key !== current) {
        if (current) bar.stop();
        current = key;
        bar.start(p.total, 0, { track: p.trackId.toString(), phase: p.phase });
      }
      bar.update(p.done);
    });
    if (current) bar.stop();
    let failed = 0;
    for (const r of reports) {
      if (r.mismatchCount === 0) {
        console.log(
          `track ${r.trackId}: OK (seq ${r.seq}, ${r.leaves} leaves, ${r.nodesChecked} nodes checked)`,
        );
      } else {
        failed++;
        console.log(`track ${r.trackId}: ${r.mismatchCount} MISMATCH(ES)`);
        for (const m of r.mismatches) console.log(`  ${m}`);
      }
    }
    if (reports.length === 0) console.log('no trees to verify');
    return failed > 0 ? 1 : 0;
  } finally {
    await pool.end();
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e instanceof Error ? e.message : String(e));
    process.exit(2);
  },
);
