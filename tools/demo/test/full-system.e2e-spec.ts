import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Client } from 'pg';
import { testEnv, uniqueName, waitFor } from '@rv/testing';
import { expectedState, planScenario } from '../../localnet/src';
import { demoScenario } from '../src/demo-scenario';

const ROOT = path.resolve(__dirname, '..', '..', '..');

/** Pids still alive in a process group (ps; empty when the group is gone). */
function groupMembers(pgid: number): number[] {
  const r = spawnSync('ps', ['-e', '-o', 'pid=,pgid='], { encoding: 'utf8' });
  return r.stdout
    .split('\n')
    .map((l) => l.trim().split(/\s+/).map(Number))
    .filter(([pid, g]) => g === pgid && pid !== undefined)
    .map(([pid]) => pid!);
}

// The main job's flow, non-interactively, with a small scenario: local chain, indexer, registry
// (tree writer + root publisher), prover, gateway, a partner key, a proof verified on chain and its
// replay refused. Then Ctrl-C (SIGINT to the whole process group, as a terminal sends it).
describe('the whole system (main job flow, small scenario)', () => {
  const schema = uniqueName('fullsys');
  const resultFile = path.join(os.tmpdir(), `${schema}.json`);
  const scenario = { tracks: 2, holders: 40, churn: 80 };
  let db: Client;

  beforeAll(async () => {
    db = new Client({ connectionString: testEnv().DATABASE_URL });
    await db.connect();
  });

  afterAll(async () => {
    await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await db.end();
    fs.rmSync(resultFile, { force: true });
  });

  it('reaches a verified proof, refuses its replay, projects it, and leaves no process behind on Ctrl-C', async () => {
    const proc = spawn(
      process.execPath,
      [
        '-r',
        '@swc-node/register',
        path.join(ROOT, 'tools/demo/src/main.ts'),
        '--from-source',
        '--free-ports',
        '--tracks',
        String(scenario.tracks),
        '--holders',
        String(scenario.holders),
        '--churn',
        String(scenario.churn),
        '--result',
        resultFile,
      ],
      {
        cwd: ROOT,
        detached: true, // its own process group, like a terminal's foreground job
        env: {
          ...process.env,
          ...testEnv(),
          RV_DEMO_SCHEMA: schema,
          TS_NODE_PROJECT: path.join(ROOT, 'tsconfig.json'),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
    const pgid = proc.pid!;
    try {
      await waitFor(() => /Demo (complete|FAILED)|main job failed/.test(out), {
        timeoutMs: 300_000,
        intervalMs: 500,
        what: `the demo to finish; output so far:\n${out}`,
      });
      expect(out).toContain('Demo complete');

      const result = JSON.parse(fs.readFileSync(resultFile, 'utf8')) as {
        ok: boolean;
        demo: {
          trackId: string;
          nullifier: string;
          replayStatus: number;
          replayCode: string;
          signature: string;
          rootSeq: number;
        };
      };
      expect(result.ok).toBe(true);
      expect(result.demo.replayStatus).toBe(409);
      expect(result.demo.replayCode).toBe('nullifier_used');

      // The end state in the projections equals the scenario's.
      const expected = expectedState(planScenario(demoScenario(scenario)));
      const leaves = await db.query<{ track_id: string; n: string }>(
        `SELECT track_id, count(*) AS n FROM "${schema}".merkle_leaves WHERE revoked_at IS NULL GROUP BY track_id ORDER BY track_id`,
      );
      for (const [trackId, want] of Object.entries(expected.leaves)) {
        expect(Number(leaves.rows.find((r) => r.track_id === trackId)?.n ?? 0)).toBe(want.length);
      }
      const accepted = await db.query(`SELECT 1 FROM "${schema}".merkle_roots WHERE accepted`);
      expect(accepted.rowCount).toBeGreaterThan(0);

      // The verification reached the analytics projection (via OwnershipVerified), once, without a wallet.
      const v = await waitFor(
        async () => {
          const r = await db.query<{ track_id: string; signature: string }>(
            `SELECT track_id, signature FROM "${schema}".verifications WHERE nullifier = decode($1, 'hex')`,
            [result.demo.nullifier.slice(2)],
          );
          return r.rowCount === 1 ? r.rows[0] : undefined;
        },
        { what: 'the verification in the projection' },
      );
      expect(v.track_id).toBe(result.demo.trackId);
      expect(v.signature).toBe(result.demo.signature);
      const nullifiers = await db.query(
        `SELECT 1 FROM "${schema}".nullifiers WHERE hash = decode($1, 'hex')`,
        [result.demo.nullifier.slice(2)],
      );
      expect(nullifiers.rowCount).toBe(1);
    } finally {
      // Ctrl-C: SIGINT to every process of the group.
      if (proc.exitCode === null) process.kill(-pgid, 'SIGINT');
      let timer: NodeJS.Timeout | undefined;
      const code = await Promise.race([
        exited,
        new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), 60_000))),
      ]);
      clearTimeout(timer);
      if (code === 'timeout') process.kill(-pgid, 'SIGKILL');
      expect(code).toBe(0);
    }
    expect(out).toMatch(/gateway\s+stopped cleanly/);
    expect(out).toMatch(/localnet\s+stopped cleanly/);
    await waitFor(() => groupMembers(pgid).length === 0, {
      what: 'no process left in the group',
      timeoutMs: 10_000,
    });
  }, 420_000);
});
