import { Pool } from 'pg';
import { runMigrations } from '@rv/db';
import { ThrowawayPostgres, waitFor } from '@rv/testing';
import { ApplyLeafChanges } from '../src/trees/apply-leaf-changes';
import { RebuildAndVerify } from '../src/trees/rebuild-and-verify';

// PostgreSQL going away in the middle of a tree batch: the batch fails (to be redelivered), the
// process keeps running, and once the database is back the same batch applies and the tree verifies.
describe('tree writer when PostgreSQL restarts mid-batch', () => {
  let pg: ThrowawayPostgres;
  let pool: Pool;

  beforeAll(async () => {
    pg = await ThrowawayPostgres.create();
    await runMigrations({ url: pg.url });
    pool = new Pool({ connectionString: pg.url, max: 4 });
    pool.on('error', () => undefined); // idle clients of the stopped server
  });

  afterAll(async () => {
    await pool?.end().catch(() => undefined);
    pg?.destroy();
  });

  it('fails the batch without crashing, then applies it once the database is back', async () => {
    const writer = new ApplyLeafChanges(pool, 20);
    const changes = Array.from({ length: 60_000 }, (_, i) => ({
      type: 'append' as const,
      leaf: BigInt(i + 1),
    }));
    const batch = { trackId: 5n, seq: 1, slot: 10, changes };
    const running = writer.apply(batch);
    // stop the server while the batch is in flight (hashing 60k leaves takes well over this)
    await new Promise((r) => setTimeout(r, 300));
    pg.stop();
    await expect(running).rejects.toThrow();
    pg.start();

    const result = await waitFor(async () => writer.apply(batch), {
      what: 'the batch applied after the restart',
      timeoutMs: 60_000,
      intervalMs: 500,
    });
    expect(result.applied).toBe(true);
    expect(result.tree).toMatchObject({ seq: 1, leafCount: 60_000 });
    const [report] = await new RebuildAndVerify(pool).run([5n]);
    expect(report?.mismatches).toEqual([]);
    expect(report).toMatchObject({ leaves: 60_000, mismatchCount: 0 });
  }, 180_000);
});
