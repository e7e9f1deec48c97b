import { INestApplication } from '@nestjs/common';
import { Pool } from 'pg';
import request from 'supertest';
import { fieldFromHex, fieldToHex } from '@rv/crypto';
import { MemoryNodeStore, SparseMerkleTree, verifyPath } from '@rv/merkle';
import { testEnv } from '@rv/testing';
import { ApplyLeafChanges } from '../src/trees/apply-leaf-changes';
import { PgTreeStore } from '../src/trees/pg-tree.store';
import { ReadTree } from '../src/trees/read-tree';
import { registrySchema, startRegistry } from './registry-test-app';

interface PathJson {
  index: number;
  leaf: string;
  siblings: string[];
}
const verifies = (p: PathJson, root: string): boolean =>
  verifyPath({
    index: p.index,
    leaf: fieldFromHex(p.leaf),
    siblings: p.siblings.map((s) => fieldFromHex(s)),
    root: fieldFromHex(root),
  });

// The registry caches verified paths per (track, seq) and reads the head fresh for each request:
// a batch committed by ANOTHER process (here: a writer on its own pool, so the app learns nothing
// in-process) is served by the very next request, never a cached path of the older seq.
describe('registry path cache over real PostgreSQL', () => {
  let db: Awaited<ReturnType<typeof registrySchema>>;
  let app: INestApplication;
  let pool: Pool;
  let writer: ApplyLeafChanges;
  const http = () => request(app.getHttpServer());
  const expected = new SparseMerkleTree(new MemoryNodeStore(), { depth: 20 });
  let seq = 0;
  const apply = async (changes: { index: number; leaf: bigint }[]) => {
    seq++;
    await writer.apply({
      trackId: 3n,
      seq,
      slot: 10 * seq,
      changes: changes.map((c) =>
        c.leaf === 0n
          ? { type: 'revoke' as const, index: c.index }
          : { type: 'append' as const, leaf: c.leaf },
      ),
    });
    await expected.applyBatch(changes);
  };

  beforeAll(async () => {
    db = await registrySchema();
    app = await startRegistry(db.schema);
    pool = new Pool({
      connectionString: testEnv().DATABASE_URL,
      options: `-c search_path=${db.schema}`,
      max: 2,
    });
    writer = new ApplyLeafChanges(pool, 20);
    await apply(Array.from({ length: 10 }, (_, i) => ({ index: i, leaf: BigInt(100 + i) })));
  });

  afterAll(async () => {
    await app?.close();
    await pool?.end();
    await db?.drop();
  });

  it('serves a new seq on the next request after another writer commits it (single and batch)', async () => {
    const first = await http().get('/v1/trees/3/paths/4').expect(200);
    expect(first.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(first.body).toMatchObject({
      trackId: '3',
      seq: 1,
      slot: 10,
      root: fieldToHex(await expected.root()),
    });
    // Cached now: the same bytes again.
    const again = await http().get('/v1/trees/3/paths/4').expect(200);
    expect(again.text).toBe(first.text);
    await http()
      .post('/v1/trees/3/paths')
      .send({ indices: [4, 5, 6] })
      .expect(200);

    // Another writer: revoke 4, append one. Every path changes (the root does).
    await apply([
      { index: 4, leaf: 0n },
      { index: 10, leaf: 110n },
    ]);
    const root2 = fieldToHex(await expected.root());
    const after = await http().get('/v1/trees/3/paths/4').expect(200);
    expect(after.body).toMatchObject({ seq: 2, slot: 20, root: root2 });
    expect(after.body.path.leaf).toBe(fieldToHex(0n));
    expect(verifies(after.body.path, root2)).toBe(true);
    expect(after.body.path.siblings).toEqual((await expected.path(4)).siblings.map(fieldToHex));

    const batch = await http()
      .post('/v1/trees/3/paths')
      .send({ indices: [5, 4, 10, 5] })
      .expect(200);
    expect(batch.body).toMatchObject({ seq: 2, root: root2 });
    expect(batch.body.paths.map((p: PathJson) => p.index)).toEqual([5, 4, 10, 5]);
    for (const p of batch.body.paths) expect(verifies(p, root2)).toBe(true);
    // The older seq's paths are still served at ?seq=1, from the history.
    const old = await http().get('/v1/trees/3/paths/4?seq=1').expect(200);
    expect(old.body.path).toEqual(first.body.path);
  });

  it('answers from one newer snapshot when a writer commits between the head and the node read', async () => {
    const store = app.get(PgTreeStore);
    const original = store.readNodes.bind(store);
    let commits = 0;
    // Commit a batch just before each node read of this test: the head the request read is then
    // older than the statement's snapshot.
    const spy = jest.spyOn(store, 'readNodes').mockImplementation(async (...args) => {
      if (commits < 1) {
        commits++;
        await apply([{ index: 2, leaf: 0n }]); // revoke leaf 2
      }
      return original(...args);
    });
    try {
      const before = seq;
      const res = await http()
        .post('/v1/trees/3/paths')
        .send({ indices: [0, 1, 2, 9] })
        .expect(200);
      expect(commits).toBe(1);
      // Not the head read before the commit: the whole answer is from the newer seq.
      expect(res.body.seq).toBe(before + 1);
      expect(res.body.root).toBe(fieldToHex(await expected.root()));
      for (const p of res.body.paths) expect(verifies(p, res.body.root)).toBe(true);
      expect(res.body.paths[2].leaf).toBe(fieldToHex(0n));
      // And later requests at that seq are served from the cache it filled.
      const cache = app.get(ReadTree).cache;
      expect(cache.get(3n, before + 1, 9)).toBeDefined();
      expect(cache.get(3n, before, 9)).toBeUndefined();
    } finally {
      spy.mockRestore();
    }
  });

  it('reads uncached paths and the head in one statement, and still answers a newer seq at once', async () => {
    const read = app.get(ReadTree);
    const count = () => ({ heads: read.heads.queries, reads: read.current.reads });
    await apply([{ index: 11, leaf: 111n }]);
    await http().get('/v1/trees/3/paths/0').expect(200); // head of the new seq seen, path 0 read
    const root = fieldToHex(await expected.root());

    // Paths 1 and 3 are not cached at this seq: one statement (nodes + tree row), no head read.
    let before = count();
    const cold = await http()
      .post('/v1/trees/3/paths')
      .send({ indices: [1, 0, 3] })
      .expect(200);
    expect(count()).toEqual({ heads: before.heads, reads: before.reads + 1 });
    expect(cold.body).toMatchObject({ seq, root });
    for (const p of cold.body.paths) expect(verifies(p, root)).toBe(true);

    // All cached now: the head is read (fresh for the request), no node read.
    before = count();
    const warm = await http()
      .post('/v1/trees/3/paths')
      .send({ indices: [1, 0, 3] })
      .expect(200);
    expect(count()).toEqual({ heads: before.heads + 1, reads: before.reads });
    expect(warm.text).toBe(cold.text);

    // Another writer commits: the one-statement read shows the newer seq, so the request is
    // answered from the newer snapshot (never the seq seen before).
    await apply([{ index: 3, leaf: 0n }]);
    const newer = await http()
      .post('/v1/trees/3/paths')
      .send({ indices: [3, 5] })
      .expect(200);
    const root2 = fieldToHex(await expected.root());
    expect(newer.body).toMatchObject({ seq, root: root2 });
    expect(newer.body.paths[0].leaf).toBe(fieldToHex(0n));
    for (const p of newer.body.paths) expect(verifies(p, root2)).toBe(true);
  });

  it('serves paths at an older retained seq from the cache too, and 410 once that seq is pruned', async () => {
    // Its own tree, with a writer that keeps only the 2 newest roots' history.
    const keep2 = new ApplyLeafChanges(pool, 20, undefined, 2);
    const write = (s: number, leaves: bigint[]) =>
      keep2.apply({
        trackId: 5n,
        seq: s,
        slot: s,
        changes: leaves.map((leaf) => ({ type: 'append' as const, leaf })),
      });
    await write(1, [1n, 2n, 3n]);
    await write(2, [4n]);
    const first = await http()
      .post('/v1/trees/5/paths')
      .send({ indices: [0, 2], seq: 1 })
      .expect(200);
    expect(first.body).toMatchObject({ seq: 1, slot: 1 });
    for (const p of first.body.paths) expect(verifies(p, first.body.root)).toBe(true);
    const store = app.get(PgTreeStore);
    const spy = jest.spyOn(store, 'readNodesAt');
    try {
      // From the cache: no node read at all, the same bytes.
      const again = await http()
        .post('/v1/trees/5/paths')
        .send({ indices: [0, 2], seq: 1 })
        .expect(200);
      expect(again.text).toBe(first.text);
      expect(spy).not.toHaveBeenCalled();
      // 409 from the current slot still applies; 400 out of range too.
      await http().get('/v1/trees/5/paths/0?seq=1&minSlot=50').expect(409);
      await http().get('/v1/trees/5/paths/1048576?seq=1').expect(400);
    } finally {
      spy.mockRestore();
    }
    // Seq 3 prunes seq 1 (2 newest kept): the cached paths of seq 1 are not served any more.
    await write(3, [5n]);
    const gone = await http()
      .post('/v1/trees/5/paths')
      .send({ indices: [0, 2], seq: 1 })
      .expect(410);
    expect(gone.body.message).toMatch(/older than the retained history/);
  });

  it('keeps the errors: 404 unknown tree or leaf, 400 out of range, 409 minSlot with the current slot', async () => {
    expect((await http().get('/v1/trees/99/paths/0').expect(404)).body.message).toMatch(/unknown tree/);
    expect((await http().get('/v1/trees/3/paths/500').expect(404)).body.message).toMatch(
      /no leaf at index 500/,
    );
    expect((await http().get('/v1/trees/3/paths/1048576').expect(400)).body.message).toMatch(/out of range/);
    const behind = await http().get('/v1/trees/3/paths/0?minSlot=100000').expect(409);
    expect(behind.body).toMatchObject({ statusCode: 409, currentSlot: 10 * seq, minSlot: 100000 });
    expect(behind.headers['content-type']).toMatch(/^application\/json/);
  });
});
