import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { fieldFromHex } from '@rv/crypto';
import { verifyPath } from '@rv/merkle';
import { ApplyLeafChanges } from '../src/trees/apply-leaf-changes';
import { registrySchema, startRegistry } from './registry-test-app';

describe('readers during writes see consistent snapshots (real PostgreSQL)', () => {
  let db: Awaited<ReturnType<typeof registrySchema>>;
  let app: INestApplication;

  beforeAll(async () => {
    db = await registrySchema();
    app = await startRegistry(db.schema);
  });

  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('every path served while batches commit verifies against the root, seq and history it names', async () => {
    const writer = app.get(ApplyLeafChanges);
    const http = () => request(app.getHttpServer());
    await writer.apply({
      trackId: 1n,
      seq: 1,
      slot: 1,
      changes: Array.from({ length: 64 }, (_, i) => ({ type: 'append' as const, leaf: BigInt(i + 1) })),
    });

    const BATCHES = 40;
    let writing = true;
    const writes = (async () => {
      try {
        let next = 64;
        for (let seq = 2; seq <= BATCHES + 1; seq++) {
          // Every batch rewrites the nodes above leaves 0..7 (readers ask for those) and appends.
          const changes = [
            { type: 'revoke' as const, index: seq % 8 },
            ...Array.from({ length: 16 }, (_, i) => ({
              type: 'append' as const,
              leaf: BigInt(1000 * seq + i),
            })),
          ];
          next += 16;
          await writer.apply({ trackId: 1n, seq, slot: seq, changes });
        }
        return next;
      } finally {
        writing = false;
      }
    })();

    const seen: { seq: number; root: string }[] = [];
    const check = (
      body: { seq: number; root: string; slot: number },
      paths: { index: number; leaf: string; siblings: string[] }[],
    ): void => {
      expect(body.slot).toBe(body.seq === 1 ? 1 : body.seq);
      for (const p of paths) {
        const ok = verifyPath({
          index: p.index,
          leaf: fieldFromHex(p.leaf),
          siblings: p.siblings.map((s) => fieldFromHex(s)),
          root: fieldFromHex(body.root),
        });
        expect(ok).toBe(true);
      }
      seen.push({ seq: body.seq, root: body.root });
    };
    const reader = async (k: number) => {
      let n = 0;
      while (writing || n < 3) {
        if (k % 2 === 0) {
          const r = await http().get(`/v1/trees/1/paths/${n % 8}`);
          expect(r.status).toBe(200);
          check(r.body, [r.body.path]);
        } else {
          const r = await http()
            .post('/v1/trees/1/paths')
            .send({ indices: [0, 1, 2, 3, 4, 5, 6, 7, 63] });
          expect(r.status).toBe(200);
          check(r.body, r.body.paths);
        }
        n++;
      }
      return n;
    };
    const [, ...counts] = await Promise.all([writes, ...[0, 1, 2, 3].map(reader)]);
    expect(counts.every((c) => c >= 3)).toBe(true);

    // Each (seq, root) a reader saw is exactly the history's root for that seq; readers saw several seqs.
    const history = await http().get('/v1/trees/1/roots?limit=1000').expect(200);
    const bySeq = new Map<number, string>(
      history.body.roots.map((r: { seq: number; root: string }) => [r.seq, r.root]),
    );
    for (const s of seen) expect(s.root).toBe(bySeq.get(s.seq));
    expect(new Set(seen.map((s) => s.seq)).size).toBeGreaterThan(2);
    expect(history.body.seq).toBe(BATCHES + 1);
  });
});
