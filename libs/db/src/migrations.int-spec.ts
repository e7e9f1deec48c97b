import { Client } from 'pg';
import { revertMigrations, runMigrations, migrations } from '@rv/db';
import { testEnv, uniqueName } from '@rv/testing';

const url = testEnv().DATABASE_URL;

async function tables(schema: string): Promise<string[]> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    const r = await c.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_name <> 'migrations' ORDER BY 1`,
      [schema],
    );
    return r.rows.map((x) => x.table_name);
  } finally {
    await c.end();
  }
}

async function columns(schema: string, table: string): Promise<string[]> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    const r = await c.query<{ column_name: string }>(
      `SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2`,
      [schema, table],
    );
    return r.rows.map((x) => x.column_name);
  } finally {
    await c.end();
  }
}

describe('migrations (real PostgreSQL)', () => {
  const schema = uniqueName('mig');

  afterAll(async () => {
    const c = new Client({ connectionString: url });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await c.end();
  });

  it('round-trips: up, down (all), up again, and a second up is a no-op', async () => {
    const first = await runMigrations({ url, schema });
    expect(first).toEqual(migrations.map((m) => new m().name));
    const created = await tables(schema);
    expect(created).toEqual(
      expect.arrayContaining([
        'merkle_leaves',
        'nullifiers',
        'verifications',
        'merkle_trees',
        'merkle_nodes',
        'merkle_roots',
        'identities',
        'holdings',
        'consumer_offsets',
      ]),
    );

    const reverted = await revertMigrations({ url, schema }, migrations.length);
    expect(reverted).toHaveLength(migrations.length);
    expect(await tables(schema)).toEqual([]);

    await runMigrations({ url, schema });
    expect(await tables(schema)).toEqual(created);
    expect(await runMigrations({ url, schema })).toEqual([]);
  });

  it("keeps the seed guide's columns, and verifications holds no wallet address", async () => {
    await runMigrations({ url, schema });
    expect(await columns(schema, 'merkle_leaves')).toEqual(
      expect.arrayContaining([
        'id',
        'wallet_hash',
        'token_id',
        'track_id',
        'leaf_hash',
        'index',
        'created_at',
      ]),
    );
    expect(await columns(schema, 'nullifiers')).toEqual(
      expect.arrayContaining(['hash', 'track_id', 'used_at', 'tx_signature']),
    );
    const v = await columns(schema, 'verifications');
    expect(v).toEqual(expect.arrayContaining(['id', 'track_id', 'timestamp']));
    expect(v.filter((c) => /wallet|owner|address/.test(c))).toEqual([]);
  });
});
