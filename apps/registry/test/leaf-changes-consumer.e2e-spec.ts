import { INestApplication } from '@nestjs/common';
import bs58 from 'bs58';
import request from 'supertest';
import type { Consumer } from 'kafkajs';
import { fieldToHex } from '@rv/crypto';
import {
  leafChangeCodec,
  leafChangeKey,
  rootRecordCodec,
  type LeafChange,
  type RootRecord,
} from '@rv/events';
import { DLQ_HEADERS, KafkaService } from '@rv/kafka';
import { MemoryNodeStore, SparseMerkleTree } from '@rv/merkle';
import { uniqueName, waitFor } from '@rv/testing';
import { PgTreeStore } from '../src/trees/pg-tree.store';
import { registrySchema, startRegistry } from './registry-test-app';

const MINT = bs58.encode(Uint8Array.from({ length: 32 }, (_, i) => i + 1));
const leafOf = (i: number): bigint => 0x5000n + BigInt(i);

describe('tree writer consuming rv.registry.leaf-changes.v1 (real Kafka and PostgreSQL)', () => {
  let db: Awaited<ReturnType<typeof registrySchema>>;
  let app: INestApplication;
  let kafka: KafkaService;
  let store: PgTreeStore;
  const leafTopic = uniqueName('rv_leaf_changes');
  const rootsTopic = uniqueName('rv_roots');
  const roots: RootRecord[] = [];
  const dlq: { reason: string; offset: string }[] = [];
  const watchers: Consumer[] = [];

  const change = (
    changeSeq: number,
    op: 'append' | 'revoke',
    leaf: bigint,
    slot = 100 + changeSeq,
  ): LeafChange => ({
    trackId: 11n,
    changeSeq: BigInt(changeSeq),
    op,
    leaf: fieldToHex(leaf),
    depth: 16,
    slot,
    mint: MINT,
  });
  const produce = (changes: LeafChange[]) =>
    kafka.send(
      leafTopic,
      changes.map((c) => ({ key: leafChangeKey(c), value: leafChangeCodec.encode(c) })),
    );

  beforeAll(async () => {
    db = await registrySchema();
    app = await startRegistry(db.schema, {
      TREE_WRITER_ENABLED: 'true',
      LEAF_CHANGES_TOPIC: leafTopic,
      ROOTS_TOPIC: rootsTopic,
      TREE_WRITER_GROUP: uniqueName('rv_tree_writer'),
    });
    kafka = app.get(KafkaService);
    store = app.get(PgTreeStore);
    const watch = async (
      topic: string,
      onMessage: (m: { value: Buffer | null; headers?: Record<string, unknown>; offset: string }) => void,
    ) => {
      const c = kafka.kafka.consumer({ groupId: uniqueName('rv_watch') });
      await c.connect();
      await c.subscribe({ topics: [topic], fromBeginning: true });
      await c.run({ eachMessage: async ({ message }) => onMessage(message as never) });
      watchers.push(c);
    };
    await watch(rootsTopic, (m) => {
      const r = rootRecordCodec.decode(m.value);
      if (r.ok) roots.push(r.value);
    });
    await watch(`${leafTopic}.dlq`, (m) =>
      dlq.push({ reason: String(m.headers?.[DLQ_HEADERS.reason] ?? ''), offset: m.offset }),
    );
  });

  afterAll(async () => {
    await Promise.all(watchers.map((w) => w.disconnect()));
    await app?.close();
    await db?.drop();
  });

  const treeAt = (changeSeq: bigint) =>
    waitFor(
      async () => {
        const t = await store.getTree(11n);
        return t && t.changeSeq >= changeSeq ? t : undefined;
      },
      { timeoutMs: 30000, what: `tree 11 at change seq ${changeSeq}` },
    );

  it('applies changes in order, publishes each new root, dead-letters an undecodable record', async () => {
    await produce([0, 1, 2, 3, 4].map((i) => change(i + 1, 'append', leafOf(i))));
    await kafka.send(leafTopic, [{ key: '11', value: Buffer.from('{"not":"a leaf change"}') }]);
    await produce([change(6, 'revoke', leafOf(1)), change(7, 'append', leafOf(5))]);

    const tree = await treeAt(7n);
    const expected = new SparseMerkleTree(new MemoryNodeStore(), { depth: 16 });
    await expected.append([0, 1, 2, 3, 4].map(leafOf), 0);
    await expected.applyBatch([
      { index: 1, leaf: 0n },
      { index: 5, leaf: leafOf(5) },
    ]);
    expect(tree.root).toBe(await expected.root());
    expect(tree).toMatchObject({ depth: 16, leafCount: 5, nextIndex: 6, slot: 107 });

    const last = await waitFor(() => roots.find((r) => r.changeSeq === 7n), {
      timeoutMs: 30000,
      what: 'root with change seq 7',
    });
    expect(last).toMatchObject({
      trackId: 11n,
      root: fieldToHex(tree.root),
      seq: BigInt(tree.seq),
      leafCount: 5n,
      slot: 107,
    });
    const d = await waitFor(() => dlq[0], { timeoutMs: 30000, what: 'dead-lettered record' });
    expect(d.reason).toMatch(/invalid|schema_version|bad_encoding/);
  });

  it('redelivered records change nothing (the root is re-published unchanged)', async () => {
    const before = await store.getTree(11n);
    const published = roots.length;
    await produce(
      [3, 4, 5]
        .map((i) => change(i + 1, 'append', leafOf(i)))
        .concat([change(6, 'revoke', leafOf(1)), change(7, 'append', leafOf(5))]),
    );
    await waitFor(() => roots.length > published, { timeoutMs: 30000, what: 're-published root' });
    expect(await store.getTree(11n)).toEqual(before);
    expect(roots[roots.length - 1]).toMatchObject({
      seq: BigInt(before!.seq),
      changeSeq: 7n,
      root: fieldToHex(before!.root),
    });
  });

  it('a change that can never apply is dead-lettered and the changes after it still apply', async () => {
    const dead = dlq.length;
    await produce([change(8, 'revoke', 0xdeadn), change(9, 'append', leafOf(9))]);
    const tree = await treeAt(9n);
    expect(tree.nextIndex).toBe(7);
    expect(tree.leafCount).toBe(6);
    const d = await waitFor(() => dlq[dead], { timeoutMs: 30000, what: 'dead-lettered change 8' });
    expect(d.reason).toMatch(/no live leaf/);
    const metrics = await request(app.getHttpServer()).get('/metrics').expect(200);
    expect(metrics.text).toMatch(/registry_dead_letters_total\{code="invalid_change"[^}]*\} 1/);
    expect(metrics.text).toMatch(/registry_tree_batch_changes_count\{[^}]*\} [1-9]/);
  });
});
