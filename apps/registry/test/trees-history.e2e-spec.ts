import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { fieldFromHex, fieldToHex } from '@rv/crypto';
import { MemoryNodeStore, SparseMerkleTree, verifyPath, type MerklePath } from '@rv/merkle';
import { ApplyLeafChanges, type LeafChangeInput } from '../src/trees/apply-leaf-changes';
import { PgTreeStore } from '../src/trees/pg-tree.store';
import { RebuildAndVerify } from '../src/trees/rebuild-and-verify';
import { registrySchema, startRegistry } from './registry-test-app';

/** Paths and leaves at older roots (node history), retention and its 404/410 answers. */

interface JsonPath {
  index: number;
  leaf: string;
  siblings: string[];
}

const verifies = (p: JsonPath, root: string): boolean =>
  verifyPath({
    index: p.index,
    leaf: fieldFromHex(p.leaf),
    siblings: p.siblings.map((s) => fieldFromHex(s)),
    root: fieldFromHex(root),
  });

const toJson = (p: MerklePath): JsonPath => ({
  index: p.index,
  leaf: fieldToHex(p.leaf),
  siblings: p.siblings.map(fieldToHex),
});

/** Deterministic pseudo-random numbers (a failing run can be replayed). */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

interface Snapshot {
  seq: number;
  slot: number;
  root: string;
  nextIndex: number;
  leaves: bigint[];
  paths: JsonPath[];
}

/**
 * Applies `batches` random batches (appends, revokes by index and by value) to `track` through
 * `writer`, mirrored on an in-memory tree; returns what every seq looked like.
 */
async function churn(
  writer: ApplyLeafChanges,
  track: bigint,
  batches: number,
  seed: number,
  fromSeq = 1,
  mirror = new SparseMerkleTree(new MemoryNodeStore(), { depth: 20 }),
  state = { next: 0, live: new Set<number>(), values: new Map<number, bigint>() },
): Promise<Snapshot[]> {
  const rand = rng(seed);
  const out: Snapshot[] = [];
  for (let seq = fromSeq; seq < fromSeq + batches; seq++) {
    const changes: LeafChangeInput[] = [];
    const mem: { index: number; leaf: bigint }[] = [];
    const appends = 1 + Math.floor(rand() * 4);
    for (let i = 0; i < appends; i++) {
      const leaf = BigInt(seed) * 1_000_003n + BigInt(state.next) * 7919n + 11n;
      changes.push({ type: 'append', leaf });
      mem.push({ index: state.next, leaf });
      state.live.add(state.next);
      state.values.set(state.next, leaf);
      state.next++;
    }
    if (seq > fromSeq && state.live.size > 2) {
      const candidates = [...state.live].filter((i) => !mem.some((m) => m.index === i));
      const pick = candidates[Math.floor(rand() * candidates.length)];
      if (pick !== undefined) {
        changes.push(
          rand() < 0.5
            ? { type: 'revoke', index: pick }
            : { type: 'revoke', leaf: state.values.get(pick) as bigint },
        );
        mem.push({ index: pick, leaf: 0n });
        state.live.delete(pick);
      }
    }
    const slot = 1000 + seq * 3;
    const r = await writer.apply({ trackId: track, seq, slot, changes });
    expect(r.applied).toBe(true);
    const { root } = await mirror.applyBatch(mem);
    expect(r.tree.root).toBe(root);
    const indices = Array.from({ length: state.next }, (_, i) => i);
    const paths = await mirror.paths(indices);
    out.push({
      seq,
      slot,
      root: fieldToHex(root),
      nextIndex: state.next,
      leaves: paths.map((p) => p.leaf),
      paths: paths.map(toJson),
    });
  }
  return out;
}

describe('registry history: paths and leaves at older roots (real PostgreSQL)', () => {
  let db: Awaited<ReturnType<typeof registrySchema>>;
  let app: INestApplication;
  let writer: ApplyLeafChanges;
  let store: PgTreeStore;
  const http = () => request(app.getHttpServer());
  let history: Snapshot[];

  beforeAll(async () => {
    db = await registrySchema();
    app = await startRegistry(db.schema);
    writer = app.get(ApplyLeafChanges);
    store = app.get(PgTreeStore);
    history = await churn(writer, 1n, 30, 42);
  }, 60000);

  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('every retained seq serves exactly the paths of that seq, verified against its root in the history', async () => {
    const roots = await http().get('/v1/trees/1/roots?limit=1000').expect(200);
    const rootBySeq = new Map<number, string>(
      roots.body.roots.map((r: { seq: number; root: string }) => [r.seq, r.root]),
    );
    expect(roots.body.seq).toBe(30);
    for (const s of history) {
      expect(rootBySeq.get(s.seq)).toBe(s.root);
      const indices = Array.from({ length: s.nextIndex }, (_, i) => i);
      const res = await http().post('/v1/trees/1/paths').send({ indices, seq: s.seq }).expect(200);
      expect(res.body).toMatchObject({ trackId: '1', root: s.root, seq: s.seq, slot: s.slot });
      expect(res.body.paths).toEqual(s.paths);
      for (const p of res.body.paths as JsonPath[])
        expect(verifies(p, rootBySeq.get(s.seq) as string)).toBe(true);
    }
  });

  it('GET by index and by leaf at ?root= / ?seq=: revoked later = still provable, appended later = absent', async () => {
    const early = history[4] as Snapshot;
    const last = history[history.length - 1] as Snapshot;
    // A leaf live at seq 5 and revoked by the end.
    const revokedLater = early.leaves.findIndex((l, i) => l !== 0n && last.leaves[i] === 0n);
    expect(revokedLater).toBeGreaterThanOrEqual(0);
    const leafHex = fieldToHex(early.leaves[revokedLater] as bigint);

    const byRoot = await http().get(`/v1/trees/1/paths/${revokedLater}?root=${early.root}`).expect(200);
    expect(byRoot.body).toEqual({
      trackId: '1',
      root: early.root,
      seq: early.seq,
      slot: early.slot,
      path: early.paths[revokedLater],
    });
    const bySeq = await http().get(`/v1/trees/1/paths/${revokedLater}?seq=${early.seq}`).expect(200);
    expect(bySeq.body).toEqual(byRoot.body);
    const byLeaf = await http().get(`/v1/trees/1/paths?leaf=${leafHex}&root=${early.root}`).expect(200);
    expect(byLeaf.body).toEqual(byRoot.body);
    // ... but not at the current root.
    await http().get(`/v1/trees/1/paths?leaf=${leafHex}`).expect(404);

    // A leaf appended after seq 5: no position at seq 5, no live leaf of that value.
    const appendedLater = early.nextIndex;
    const appendedAt = history.find((s) => s.nextIndex > appendedLater) as Snapshot;
    const lateLeaf = fieldToHex(appendedAt.leaves[appendedLater] as bigint);
    const absent = await http().get(`/v1/trees/1/paths/${appendedLater}?seq=${early.seq}`).expect(404);
    expect(absent.body.message).toContain(`at seq ${early.seq}`);
    await http().get(`/v1/trees/1/paths?leaf=${lateLeaf}&seq=${early.seq}`).expect(404);
    await http().get(`/v1/trees/1/paths/${appendedLater}`).expect(200);
  });

  it('GET leaves?seq= pages the leaves of that seq', async () => {
    for (const s of [history[0], history[9], history[29]] as Snapshot[]) {
      const got: { index: number; leaf: string }[] = [];
      let cursor: string | null = '0';
      while (cursor !== null) {
        const res: request.Response = await http()
          .get(`/v1/trees/1/leaves?seq=${s.seq}&limit=7&cursor=${cursor}`)
          .expect(200);
        expect(res.body).toMatchObject({ root: s.root, seq: s.seq, slot: s.slot, nextIndex: s.nextIndex });
        got.push(...res.body.leaves);
        cursor = res.body.nextCursor;
      }
      expect(got).toEqual(s.leaves.map((l, index) => ({ index, leaf: fieldToHex(l) })));
    }
  });

  it('answers 400 for malformed root/seq, 404 for an unknown root or seq', async () => {
    const s = history[3] as Snapshot;
    await http().get(`/v1/trees/1/paths/0?root=0x12`).expect(400);
    await http().get(`/v1/trees/1/paths/0?seq=-1`).expect(400);
    await http().get(`/v1/trees/1/paths/0?seq=abc`).expect(400);
    const both = await http().get(`/v1/trees/1/paths/0?seq=4&root=${s.root}`).expect(400);
    expect(both.body.message).toBe('give root or seq, not both');
    await http()
      .post('/v1/trees/1/paths')
      .send({ indices: [0], seq: 'x' })
      .expect(400);
    await http()
      .post('/v1/trees/1/paths')
      .send({ indices: [0], root: 5 })
      .expect(400);

    const unknownRoot = await http()
      .get(`/v1/trees/1/paths/0?root=0x${'0'.repeat(63)}5`)
      .expect(404);
    expect(unknownRoot.body.message).toContain('never had root');
    const unknownSeq = await http().get('/v1/trees/1/paths/0?seq=999').expect(404);
    expect(unknownSeq.body.message).toContain('never had seq 999');
    await http().get(`/v1/trees/1/leaves?seq=999`).expect(404);
    const byLeaf = await http()
      .get(`/v1/trees/1/paths?leaf=${fieldToHex(s.leaves[0] as bigint)}&seq=999`)
      .expect(404);
    expect(byLeaf.body.message).toContain('never had seq 999');
    await http()
      .post('/v1/trees/1/paths')
      .send({ indices: [0], seq: 999 })
      .expect(404);
    await http().get(`/v1/trees/99/paths/0?seq=1`).expect(404);
  });

  it('the OpenAPI document names root/seq on the path and leaf reads, and the 410 answer', async () => {
    const doc = await http().get('/openapi.json').expect(200);
    const params = (route: string, method: string): string[] =>
      (doc.body.paths[route][method].parameters as { name: string }[]).map((p) => p.name);
    for (const route of [
      '/v1/trees/{trackId}/paths/{leafIndex}',
      '/v1/trees/{trackId}/paths',
      '/v1/trees/{trackId}/leaves',
    ])
      expect(params(route, 'get')).toEqual(expect.arrayContaining(['root', 'seq']));
    const post = doc.body.paths['/v1/trees/{trackId}/paths'].post;
    expect(Object.keys(post.requestBody.content['application/json'].schema.properties)).toEqual([
      'indices',
      'root',
      'seq',
    ]);
    expect(post.responses['410']).toBeDefined();
  });

  it('a replayed batch changes nothing, history included', async () => {
    const count = async () =>
      Number(
        (await store.pool.query<{ n: string }>('SELECT count(*)::text AS n FROM merkle_node_versions'))
          .rows[0]?.n,
      );
    const before = await count();
    expect(before).toBeGreaterThan(0);
    const r = await writer.apply({ trackId: 1n, seq: 30, slot: 1, changes: [{ type: 'append', leaf: 5n }] });
    expect(r.applied).toBe(false);
    expect(await count()).toBe(before);
    const s = history[10] as Snapshot;
    const res = await http()
      .post('/v1/trees/1/paths')
      .send({ indices: [0, 1, 2], seq: s.seq })
      .expect(200);
    expect(res.body.paths).toEqual(s.paths.slice(0, 3));
  });

  it('keeps only the newest N roots servable: older ones answer 410, retained ones still verify', async () => {
    const N = 5;
    const small = new ApplyLeafChanges(store.pool, 20, undefined, N);
    const snaps = await churn(small, 2n, 14, 7);
    const oldest = 14 - N + 1;
    for (const s of snaps) {
      const res = await http().get(`/v1/trees/2/paths/0?seq=${s.seq}`);
      if (s.seq >= oldest) {
        expect(res.status).toBe(200);
        expect(res.body.path).toEqual(s.paths[0]);
        expect(verifies(res.body.path, s.root)).toBe(true);
        const all = await http()
          .post('/v1/trees/2/paths')
          .send({ indices: s.paths.map((p) => p.index), root: s.root })
          .expect(200);
        expect(all.body.paths).toEqual(s.paths);
      } else {
        expect(res.status).toBe(410);
        expect(res.body.message).toContain(`retained history (seqs ${oldest}..14)`);
      }
    }
    await http().get(`/v1/trees/2/paths/0?root=${snaps[0]?.root}`).expect(410);
    await http().get(`/v1/trees/2/leaves?seq=1`).expect(410);
    await http()
      .get(`/v1/trees/2/paths?leaf=${fieldToHex(snaps[0]?.leaves[0] as bigint)}&seq=1`)
      .expect(410);
    // Root history itself is kept; pruned versions are gone from storage.
    const roots = await http().get('/v1/trees/2/roots?limit=1000').expect(200);
    expect(roots.body.roots).toHaveLength(14);
    const stale = await store.pool.query(
      'SELECT 1 FROM merkle_node_versions WHERE track_id = 2 AND replaced_seq <= $1',
      [oldest],
    );
    expect(stale.rowCount).toBe(0);
  });

  it('rebuild-and-verify passes on trees with history and catches a corrupted node version', async () => {
    const verify = new RebuildAndVerify(store.pool);
    const reports = await verify.run([1n, 2n]);
    expect(reports.map((r) => r.mismatches)).toEqual([[], []]);
    await store.pool.query(
      `UPDATE merkle_node_versions SET hash = decode(repeat('00', 31) || '07', 'hex')
        WHERE (track_id, level, index, seq) = (SELECT track_id, level, index, seq FROM merkle_node_versions WHERE track_id = 1 LIMIT 1)`,
    );
    const [bad] = await verify.run([1n]);
    expect(bad?.mismatchCount).toBe(1);
    expect(bad?.mismatches[0]).toMatch(/node version \(\d+, \d+\) of seq \d+ is 0x0{62}07/);
  });
});

describe('registry history under concurrent writers (real PostgreSQL)', () => {
  let db: Awaited<ReturnType<typeof registrySchema>>;
  let app: INestApplication;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    db = await registrySchema();
    app = await startRegistry(db.schema);
  });

  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('historical readers never see a path that fails against the root of the seq it names', async () => {
    const store = app.get(PgTreeStore);
    // Two trees written at once; the second with a short history so pruning races the readers.
    const writers = [app.get(ApplyLeafChanges), new ApplyLeafChanges(store.pool, 20, undefined, 4)];
    const BATCHES = 25;
    let writing = 2;
    const expected = new Map<string, Snapshot>();
    const writes = writers.map(async (w, k) => {
      try {
        const snaps = await churn(w, BigInt(k + 1), BATCHES, 100 + k);
        for (const s of snaps) expected.set(`${k + 1}:${s.seq}`, s);
      } finally {
        writing--;
      }
    });

    const statuses = new Map<number, number>();
    const seen: { track: number; seq: number; root: string; paths: JsonPath[] }[] = [];
    const reader = async (r: number) => {
      const rand = rng(r + 1);
      let n = 0;
      while (writing > 0 || n < 5) {
        const track = 1 + (n % 2);
        const head = await http().get(`/v1/trees/${track}`);
        n++;
        if (head.status !== 200 || head.body.seq < 3) continue;
        // A seq at or a little behind the head (≥ 3: leaves 0..2 exist), sometimes beyond the short history.
        const seq = Math.max(3, head.body.seq - Math.floor(rand() * 8));
        const res =
          r % 2 === 0
            ? await http().get(`/v1/trees/${track}/paths/${Math.floor(rand() * 3)}?seq=${seq}`)
            : await http()
                .post(`/v1/trees/${track}/paths`)
                .send({ indices: [0, 1, 2], seq });
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        expect(res.status === 200 || (res.status === 410 && track === 2)).toBe(true);
        if (res.status !== 200) continue;
        expect(res.body.seq).toBe(seq);
        const paths: JsonPath[] = res.body.paths ?? [res.body.path];
        for (const p of paths) expect(verifies(p, res.body.root)).toBe(true);
        seen.push({ track, seq, root: res.body.root, paths });
      }
    };
    await Promise.all([...writes, ...[0, 1, 2, 3].map(reader)]);

    // Every answer is exactly what that seq looked like (root and paths), per the reference tree.
    for (const s of seen) {
      const want = expected.get(`${s.track}:${s.seq}`) as Snapshot;
      expect(s.root).toBe(want.root);
      for (const p of s.paths) expect(p).toEqual(want.paths[p.index]);
    }
    expect(seen.length).toBeGreaterThan(10);
    expect(new Set(seen.map((s) => `${s.track}:${s.seq}`)).size).toBeGreaterThan(4);
  }, 120000);
});
