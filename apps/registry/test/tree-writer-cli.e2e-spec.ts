import { spawnSync } from 'child_process';
import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { Client, Pool } from 'pg';
import { fieldToHex } from '@rv/crypto';
import { MemoryNodeStore, SparseMerkleTree } from '@rv/merkle';
import { testEnv } from '@rv/testing';
import { RebuildAndVerify } from '../src/trees/rebuild-and-verify';
import { registrySchema } from './registry-test-app';

const ROOT = path.resolve(__dirname, '..', '..', '..');

function runCli(script: string, args: string[], schema: string) {
  return spawnSync(
    process.execPath,
    ['-r', '@swc-node/register', path.join(ROOT, 'apps/registry/src/cli', script), ...args],
    {
      cwd: ROOT,
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        TS_NODE_PROJECT: path.join(ROOT, 'tsconfig.json'),
        DATABASE_URL: testEnv().DATABASE_URL,
        DATABASE_SCHEMA: schema,
      },
      timeout: 60000,
    },
  );
}

describe('tree writer CLI and rebuild-and-verify CLI (real PostgreSQL)', () => {
  let db: Awaited<ReturnType<typeof registrySchema>>;
  let sql: Client;
  const leaves = Array.from({ length: 300 }, (_, i) => 0xabc000n + BigInt(i));
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'rv-registry-')), 'changes.json');

  beforeAll(async () => {
    db = await registrySchema();
    sql = new Client({ connectionString: db.url, options: `-c search_path=${db.schema}` });
    await sql.connect();
    writeFileSync(
      file,
      JSON.stringify({
        batches: [
          {
            trackId: '3',
            seq: 1,
            slot: 10,
            depth: 12,
            changes: leaves
              .slice(0, 200)
              .map((l) => ({ type: 'append', leaf: fieldToHex(l), walletHash: '0x01', tokenId: '0x02' })),
          },
          {
            trackId: '3',
            seq: 2,
            slot: 11,
            changes: [
              { type: 'revoke', index: 7 },
              ...leaves.slice(200).map((l) => ({ type: 'append', leaf: fieldToHex(l) })),
            ],
          },
          {
            trackId: '3',
            seq: 3,
            slot: 12,
            changes: [
              { type: 'revoke', leaf: fieldToHex(leaves[150]!) },
              { type: 'append', leaf: fieldToHex(5n) },
              { type: 'revoke', leaf: fieldToHex(5n) },
            ],
          },
          { trackId: '4', seq: 1, slot: 12, changes: [{ type: 'append', leaf: fieldToHex(1n) }] },
        ],
      }),
    );
  });

  afterAll(async () => {
    await sql?.end();
    await db?.drop();
  });

  it('applies a changes file batch by batch; running it again changes nothing', async () => {
    const first = runCli('apply-leaf-changes.cli.ts', [file], db.schema);
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/track 3 seq 3: applied 3 changes/);

    const expected = new SparseMerkleTree(new MemoryNodeStore(), { depth: 12 });
    await expected.append(leaves.slice(0, 200), 0);
    await expected.applyBatch([
      { index: 7, leaf: 0n },
      ...leaves.slice(200).map((leaf, i) => ({ index: 200 + i, leaf })),
    ]);
    await expected.applyBatch([
      { index: 150, leaf: 0n },
      { index: 300, leaf: 0n },
    ]);
    const tree = await sql.query(
      `SELECT depth, seq::int, leaf_count::int, next_index::int, encode(root, 'hex') AS root FROM merkle_trees WHERE track_id = 3`,
    );
    expect(tree.rows[0]).toEqual({
      depth: 12,
      seq: 3,
      leaf_count: 298,
      next_index: 301,
      root: fieldToHex(await expected.root()).slice(2),
    });
    const snapshot = async () =>
      (await sql.query(`SELECT track_id, level, index, hash, seq FROM merkle_nodes ORDER BY 1, 2, 3`)).rows;
    const before = await snapshot();

    const again = runCli('apply-leaf-changes.cli.ts', [file], db.schema);
    expect(again.status).toBe(0);
    expect(again.stdout.match(/already applied/g)).toHaveLength(4);
    expect(await snapshot()).toEqual(before);
    expect((await sql.query(`SELECT count(*)::int AS n FROM merkle_leaves`)).rows[0].n).toBe(302);
  });

  it('rejects a malformed changes file with a message and exit code 1', () => {
    const bad = path.join(path.dirname(file), 'bad.json');
    writeFileSync(
      bad,
      JSON.stringify({
        batches: [{ trackId: '3', seq: 4, slot: 1, changes: [{ type: 'append', leaf: '0x12' }] }],
      }),
    );
    const r = runCli('apply-leaf-changes.cli.ts', [bad], db.schema);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/batches\.0\.changes\.0/);
  });

  it('rebuild-and-verify passes on a consistent registry and exits non-zero on a corrupted node or root', async () => {
    const ok = runCli('rebuild-verify.cli.ts', [], db.schema);
    expect(ok.stdout).toMatch(/track 3: OK \(seq 3, 301 leaves, \d+ nodes checked\)/);
    expect(ok.stdout).toMatch(/track 4: OK/);
    expect(ok.status).toBe(0);

    const node = (
      await sql.query(
        `SELECT level, index FROM merkle_nodes WHERE track_id = 3 AND level = 5 ORDER BY index LIMIT 1`,
      )
    ).rows[0];
    await sql.query(
      `UPDATE merkle_nodes SET hash = '\\x${'00'.repeat(31)}01' WHERE track_id = 3 AND level = $1 AND index = $2`,
      [node.level, node.index],
    );
    const badNode = runCli('rebuild-verify.cli.ts', ['3'], db.schema);
    expect(badNode.status).toBe(1);
    expect(badNode.stdout).toMatch(new RegExp(`node \\(5, ${node.index}\\) is 0x0+1, recomputed`));
    expect(badNode.stdout).not.toMatch(/track 4/);
  });

  it('detects a wrong root in the history and a missing node', async () => {
    const pool = new Pool({ connectionString: db.url, options: `-c search_path=${db.schema}`, max: 1 });
    try {
      await sql.query(
        `UPDATE merkle_roots SET root = '\\x${'00'.repeat(32)}' WHERE track_id = 4 AND seq = 1`,
      );
      await sql.query(`DELETE FROM merkle_nodes WHERE track_id = 4 AND level = 3`);
      const [report] = await new RebuildAndVerify(pool).run([4n]);
      expect(report?.mismatches.some((m) => /root of seq 1 is 0x0+, recomputed/.test(m))).toBe(true);
      expect(report?.mismatches.some((m) => /nodes stored, .* recomputed/.test(m))).toBe(true);
    } finally {
      await pool.end();
    }
  });
});
