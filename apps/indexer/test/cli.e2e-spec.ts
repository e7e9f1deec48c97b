import { spawnSync } from 'child_process';
import * as path from 'path';
import { Projector } from '../src/projector/projector';
import { churnScenario } from './support/churn';
import { Pipeline } from './support/harness';

const ROOT = path.resolve(__dirname, '..', '..', '..');

function cli(p: Pipeline, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(
    process.execPath,
    ['-r', '@swc-node/register', path.join(ROOT, 'apps/indexer/src/cli/indexer-cli.ts'), ...args],
    {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        TS_NODE_PROJECT: path.join(ROOT, 'tsconfig.json'),
        ...p.indexerEnv({ SOLANA_RPC_URL: 'http://127.0.0.1:1' }),
      },
      encoding: 'utf8',
      timeout: 120000,
    },
  );
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Everything the projector derived, as comparable text. */
async function projection(p: Pipeline): Promise<Record<string, unknown>> {
  const q = async (sql: string) => (await p.pool.query(sql)).rows;
  return {
    identities: await q(
      `SELECT encode(wallet, 'hex') w, encode(commitment, 'hex') c FROM identities ORDER BY 1`,
    ),
    holdings: await q(
      `SELECT encode(token_account, 'hex') a, amount::text, slot::text, write_version::text FROM holdings ORDER BY 1`,
    ),
    tracks: await q(`SELECT track_id::text, encode(mint, 'hex') m FROM tracks ORDER BY 1`),
    nullifiers: await q(`SELECT encode(hash, 'hex') h FROM nullifiers ORDER BY 1`),
    verifications: await q(`SELECT encode(nullifier, 'hex') n, track_id::text FROM verifications ORDER BY 1`),
    // Live leaves only: rows of leaves that came and went depend on how partitions interleaved.
    leaves: await q(
      `SELECT track_id::text, encode(wallet, 'hex') w, encode(leaf, 'hex') l FROM indexer_leaves WHERE present ORDER BY 1, 2`,
    ),
  };
}

describe('indexer operations CLI', () => {
  let p: Pipeline;
  beforeAll(async () => {
    p = await Pipeline.create();
    const { updates } = churnScenario({ seed: 7, tracks: 2, holders: 40, changes: 300, verifications: 10 });
    await p.publish(updates);
    await p.publishRaw([{ key: 'x', value: Buffer.from('garbage') }]);
    const projector = new Projector({
      kafka: p.kafka,
      producer: p.producer,
      pool: p.pool,
      groupId: p.projectorGroup,
      topics: p.topics,
    });
    await projector.start();
    await p.startRegistry();
    await p.waitSettled();
    await projector.stop();
  });
  afterAll(async () => {
    await p.close();
  });

  it('status --json reports per track leaf counts, consumer lag and dead letters', async () => {
    const r = cli(p, ['status', '--json']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const s = JSON.parse(r.stdout) as {
      consumerLag: number;
      deadLetters: number;
      chainSlot: number | null;
      tracks: { trackId: string; leafCount: number; pendingLeafChanges: number }[];
    };
    const { rows } = await p.pool.query<{ track_id: string; n: string }>(
      `SELECT track_id::text, COUNT(*)::text AS n FROM indexer_leaves WHERE present GROUP BY 1 ORDER BY 1`,
    );
    expect(s.tracks.map((t) => [t.trackId, t.leafCount, t.pendingLeafChanges])).toEqual(
      rows.map((r) => [r.track_id, Number(r.n), 0]),
    );
    expect(s.consumerLag).toBe(0);
    expect(s.deadLetters).toBe(1);
    expect(s.chainSlot).toBeNull(); // the RPC is unreachable here, and status says so instead of failing
  });

  it('replay --from-offset 0 rebuilds the projections from Kafka into empty tables, identically', async () => {
    const before = await projection(p);
    expect((before.holdings as unknown[]).length).toBeGreaterThan(0);
    const refused = cli(p, ['replay', '--from-offset', '0']);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('add --yes');
    const r = cli(p, ['replay', '--from-offset', '0', '--yes']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/replayed \d+ record\(s\) from offset 0 \(leaf changes not published\)/);
    expect(await projection(p)).toEqual(before);
    const { rows } = await p.pool.query<{ n: string }>(
      `SELECT COUNT(*)::text AS n FROM indexer_outbox WHERE sent_at IS NULL`,
    );
    expect(rows[0]!.n).toBe('0');
  });

  it('rejects a bad argument with a one-line message', () => {
    const r = cli(p, ['backfill', '--from-slot', 'abc']);
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe('indexer-cli: --from-slot expects a non-negative integer, got "abc"');
  });
});
