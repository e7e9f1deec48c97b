import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { fieldFromHex, fieldToHex } from '@rv/crypto';
import { MemoryNodeStore, SparseMerkleTree, verifyPath, zeroHashes } from '@rv/merkle';
import { ApplyLeafChanges, InvalidBatchError } from '../src/trees/apply-leaf-changes';
import { registrySchema, startRegistry } from './registry-test-app';

const leafOf = (i: number): bigint => 0x1000n + BigInt(i) * 0x10001n;
const ZERO = '0x' + '0'.repeat(64);

function pathFromJson(p: { index: number; leaf: string; siblings: string[] }, root: string) {
  return {
    index: p.index,
    leaf: fieldFromHex(p.leaf),
    siblings: p.siblings.map((s) => fieldFromHex(s)),
    root: fieldFromHex(root),
  };
}

describe('registry /v1 trees over real PostgreSQL', () => {
  let db: Awaited<ReturnType<typeof registrySchema>>;
  let app: INestApplication;
  let writer: ApplyLeafChanges;
  const http = () => request(app.getHttpServer());
  // The same operations on an in-memory tree: the expected roots.
  const expected = new SparseMerkleTree(new MemoryNodeStore(), { depth: 20 });

  beforeAll(async () => {
    db = await registrySchema();
    app = await startRegistry(db.schema);
    writer = app.get(ApplyLeafChanges);

    // seq 1: five appends; seq 2: revoke index 1 and append two; seq 3: revoke by leaf value.
    await writer.apply({
      trackId: 7n,
      seq: 1,
      slot: 100,
      changes: [0, 1, 2, 3, 4].map((i) => ({ type: 'append', leaf: leafOf(i) })),
    });
    await expected.append([0, 1, 2, 3, 4].map(leafOf), 0);
    await writer.apply({
      trackId: 7n,
      seq: 2,
      slot: 105,
      changes: [
        { type: 'revoke', index: 1 },
        { type: 'append', leaf: leafOf(5) },
        { type: 'append', leaf: leafOf(6) },
      ],
    });
    await expected.applyBatch([
      { index: 1, leaf: 0n },
      { index: 5, leaf: leafOf(5) },
      { index: 6, leaf: leafOf(6) },
    ]);
    await writer.apply({ trackId: 7n, seq: 3, slot: 110, changes: [{ type: 'revoke', leaf: leafOf(3) }] });
    await expected.revoke(3);
  });

  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('GET /v1/trees and /v1/trees/:trackId name depth, leaf count, root, seq and slot', async () => {
    const root = fieldToHex(await expected.root());
    const one = { trackId: '7', depth: 20, leafCount: 5, nextIndex: 7, root, seq: 3, slot: 110 };
    await http().get('/v1/trees/7').expect(200, one);
    await http()
      .get('/v1/trees')
      .expect(200, { trees: [one] });
  });

  it('root history is newest first with the accepted flag and leaf counts', async () => {
    const res = await http().get('/v1/trees/7/roots?limit=2').expect(200);
    expect(res.body.seq).toBe(3);
    expect(res.body.roots.map((r: { seq: number }) => r.seq)).toEqual([3, 2]);
    expect(res.body.roots[0]).toEqual({
      seq: 3,
      root: res.body.root,
      leafCount: 5,
      slot: 110,
      accepted: false,
    });
    expect(res.body.roots[1].leafCount).toBe(6);
  });

  it('serves single and batch paths that verify against the root they name', async () => {
    const root = fieldToHex(await expected.root());
    const one = await http().get('/v1/trees/7/paths/4').expect(200);
    expect(one.body).toMatchObject({ trackId: '7', root, seq: 3, slot: 110 });
    expect(one.body.path.leaf).toBe(fieldToHex(leafOf(4)));
    expect(one.body.path.siblings).toHaveLength(20);
    expect(verifyPath(pathFromJson(one.body.path, one.body.root))).toBe(true);
    expect(one.body.path.siblings).toEqual((await expected.path(4)).siblings.map(fieldToHex));

    const revoked = await http().get('/v1/trees/7/paths/1').expect(200);
    expect(revoked.body.path.leaf).toBe(ZERO);

    const batch = await http()
      .post('/v1/trees/7/paths')
      .send({ indices: [0, 6, 2, 0] })
      .expect(200);
    expect(batch.body.paths.map((p: { index: number }) => p.index)).toEqual([0, 6, 2, 0]);
    for (const p of batch.body.paths) expect(verifyPath(pathFromJson(p, batch.body.root))).toBe(true);

    const byLeaf = await http()
      .get(`/v1/trees/7/paths?leaf=${fieldToHex(leafOf(5))}`)
      .expect(200);
    expect(byLeaf.body.path.index).toBe(5);
    await http()
      .get(`/v1/trees/7/paths?leaf=${fieldToHex(leafOf(3))}`)
      .expect(404); // revoked
  });

  it('pages leaves in index order with a cursor, revoked leaves as zero', async () => {
    const p1 = await http().get('/v1/trees/7/leaves?limit=4').expect(200);
    expect(p1.body.leaves).toEqual(
      [0, 1, 2, 3].map((i) => ({ index: i, leaf: i === 1 || i === 3 ? ZERO : fieldToHex(leafOf(i)) })),
    );
    expect(p1.body.nextCursor).toBe('4');
    const p2 = await http().get(`/v1/trees/7/leaves?limit=4&cursor=${p1.body.nextCursor}`).expect(200);
    expect(p2.body.leaves.map((l: { index: number }) => l.index)).toEqual([4, 5, 6]);
    expect(p2.body.nextCursor).toBeNull();
    // A client can rebuild the root from the pages.
    const rebuilt = new SparseMerkleTree(new MemoryNodeStore(), { depth: p1.body.depth });
    await rebuilt.applyBatch(
      [...p1.body.leaves, ...p2.body.leaves].map((l: { index: number; leaf: string }) => ({
        index: l.index,
        leaf: fieldFromHex(l.leaf),
      })),
    );
    expect(fieldToHex(await rebuilt.root())).toBe(p2.body.root);
  });

  it('a replayed batch changes nothing; a gap in seq is refused', async () => {
    const before = await http().get('/v1/trees/7/roots?limit=1000').expect(200);
    const replay = await writer.apply({
      trackId: 7n,
      seq: 2,
      slot: 105,
      changes: [{ type: 'append', leaf: 99n }],
    });
    expect(replay.applied).toBe(false);
    expect(replay.tree.seq).toBe(3);
    await expect(writer.apply({ trackId: 7n, seq: 5, slot: 120, changes: [] })).rejects.toThrow(
      InvalidBatchError,
    );
    await expect(
      writer.apply({ trackId: 7n, seq: 4, slot: 120, changes: [{ type: 'revoke', leaf: 12345n }] }),
    ).rejects.toThrow(/no live leaf/);
    const after = await http().get('/v1/trees/7/roots?limit=1000').expect(200);
    expect(after.body).toEqual(before.body);
    const leaves = await http().get('/v1/trees/7/leaves').expect(200);
    expect(leaves.body.leaves).toHaveLength(7);
  });

  it('minSlot beyond the registry answers 409 with the current slot', async () => {
    const r = await http().get('/v1/trees/7/paths/0?minSlot=111').expect(409);
    expect(r.body.currentSlot).toBe(110);
    expect(r.body.message).toMatch(/slot 110/);
    await http().get('/v1/trees/7/paths/0?minSlot=110').expect(200);
    await http().get('/v1/trees/7?minSlot=500').expect(409);
    await http().get('/v1/trees/7/roots?minSlot=500').expect(409);
  });

  it('answers 404 for unknown trees and leaves, 400/413 with messages for bad input', async () => {
    expect((await http().get('/v1/trees/8').expect(404)).body.message).toBe('unknown tree: track 8');
    await http().get('/v1/trees/8/paths/0').expect(404);
    await http()
      .post('/v1/trees/8/paths')
      .send({ indices: [0] })
      .expect(404);
    await http().get('/v1/trees/8/leaves').expect(404);
    expect((await http().get('/v1/trees/7/paths/7').expect(404)).body.message).toMatch(/no leaf at index 7/);
    expect((await http().get('/v1/trees/abc').expect(400)).body.message).toMatch(
      /trackId must be a decimal u64/,
    );
    await http().get('/v1/trees/18446744073709551616').expect(400);
    expect((await http().get('/v1/trees/7/paths/1048576').expect(400)).body.message).toMatch(/out of range/);
    await http().get('/v1/trees/7/paths/-1').expect(400);
    expect((await http().get('/v1/trees/7/paths?leaf=0x12').expect(400)).body.message).toMatch(
      /64 hex digits/,
    );
    await http()
      .get(`/v1/trees/7/paths?leaf=0x${'f'.repeat(64)}`)
      .expect(400);
    await http()
      .get(`/v1/trees/7/paths?leaf=${fieldToHex(424242n)}`)
      .expect(404);
    await http().post('/v1/trees/7/paths').send({ indices: [] }).expect(400);
    await http()
      .post('/v1/trees/7/paths')
      .send({ indices: ['1'] })
      .expect(400);
    await http()
      .post('/v1/trees/7/paths')
      .send({ indices: Array.from({ length: 1001 }, () => 0) })
      .expect(413);
    await http().get('/v1/trees/7/roots?limit=0').expect(400);
    await http().get('/v1/trees/7/leaves?limit=10001').expect(400);
  });

  it('an empty tree serves the zero-subtree root', async () => {
    await writer.apply({ trackId: 9n, seq: 1, slot: 5, depth: 8, changes: [] });
    const t = await http().get('/v1/trees/9').expect(200);
    expect(t.body).toMatchObject({
      depth: 8,
      leafCount: 0,
      nextIndex: 0,
      root: fieldToHex(zeroHashes(8)[8] as bigint),
      seq: 1,
    });
  });

  it('serves an OpenAPI document listing the /v1 routes', async () => {
    const doc = await http().get('/openapi.json').expect(200);
    for (const p of [
      '/v1/trees',
      '/v1/trees/{trackId}',
      '/v1/trees/{trackId}/roots',
      '/v1/trees/{trackId}/paths/{leafIndex}',
      '/v1/trees/{trackId}/paths',
      '/v1/trees/{trackId}/leaves',
    ]) {
      expect(Object.keys(doc.body.paths)).toContain(p);
    }
    expect(doc.body.paths['/v1/trees/{trackId}/paths'].post).toBeDefined();
  });
});
