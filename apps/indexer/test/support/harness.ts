import type { Admin, Kafka, Producer } from 'kafkajs';
import { Pool } from 'pg';
import { getHasher } from '@rv/crypto';
import { chainUpdateCodec, chainUpdateKey, type ChainUpdate } from '@rv/events';
import { createIdempotentProducer, createKafka, dlqTopicOf, ensureTopics } from '@rv/kafka';
import { SparseMerkleTree, MemoryNodeStore } from '@rv/merkle';
import { createTestSchema, testEnv, uniqueName, waitFor } from '@rv/testing';
import { ConfigService } from '@rv/config';
import { KafkaService, type RunningConsumer } from '@rv/kafka';
import { migrations, runMigrations } from '@rv/db';
import { MetricsService } from '@rv/observability';
import type { QueryRunner } from 'typeorm';
import { ApplyLeafChanges } from '../../../registry/src/trees/apply-leaf-changes';
import { LeafChangesConsumer } from '../../../registry/src/tree-writer/leaf-changes.consumer';
import type { RegistryConfig } from '../../../registry/src/registry.config';
// Deep import only until libs/db lists the registry's migration (then this is skipped).
import { RegistryLeafSeq1764430000000 } from '../../../../libs/db/src/migrations/1764430000000-registry-leaf-seq';

async function schemaOn(url: string): Promise<{ schema: string; url: string; drop: () => Promise<void> }> {
  const schema = uniqueName('idx');
  await runMigrations({ url, schema });
  return { schema, url, drop: async () => undefined };
}

/** One isolated pipeline: a schema, suffixed topics, pools and clients; `close()` removes it all. */
export class Pipeline {
  readonly suffix = uniqueName('t');
  readonly topics = {
    chainUpdates: `rv.chain.updates.v1.${this.suffix}`,
    leafChanges: `rv.registry.leaf-changes.v1.${this.suffix}`,
    roots: `rv.registry.roots.v1.${this.suffix}`,
  };
  readonly projectorGroup = `projector-${this.suffix}`;
  kafka!: Kafka;
  admin!: Admin;
  producer!: Producer;
  pool!: Pool;
  schema!: string;
  url!: string;
  private dropSchema!: () => Promise<void>;
  private registry?: RunningConsumer;

  brokers = testEnv().KAFKA_BROKERS;

  /**
   * `databaseUrl`: another PostgreSQL server (e.g. a ThrowawayPostgres a test restarts);
   * `brokers`: another Kafka (e.g. a ThrowawayKafka a test restarts).
   */
  static async create(partitions = 3, databaseUrl?: string, brokers?: string): Promise<Pipeline> {
    const p = new Pipeline();
    if (brokers) p.brokers = brokers;
    const s = databaseUrl ? await schemaOn(databaseUrl) : await createTestSchema('idx');
    p.schema = s.schema;
    p.url = s.url;
    p.dropSchema = s.drop;
    p.pool = new Pool({ connectionString: s.url, options: `-c search_path=${s.schema}`, max: 6 });
    p.pool.on('error', () => undefined); // idle clients die when a test restarts PostgreSQL
    const registryMigration = new RegistryLeafSeq1764430000000();
    if (!migrations.some((m) => m.name === registryMigration.name)) {
      await registryMigration.up({ query: (sql: string) => p.pool.query(sql) } as unknown as QueryRunner);
    }
    p.kafka = createKafka({ brokers: p.brokers.split(','), clientId: 'idx-spec' });
    p.admin = p.kafka.admin();
    p.producer = createIdempotentProducer(p.kafka);
    await Promise.all([p.admin.connect(), p.producer.connect()]);
    await ensureTopics(p.admin, [
      { topic: p.topics.chainUpdates, numPartitions: partitions },
      { topic: dlqTopicOf(p.topics.chainUpdates), numPartitions: 1 },
      { topic: p.topics.leafChanges, numPartitions: partitions },
      { topic: dlqTopicOf(p.topics.leafChanges), numPartitions: 1 },
      { topic: p.topics.roots, numPartitions: partitions },
    ]);
    return p;
  }

  /** Environment for a spawned indexer that uses this pipeline. */
  indexerEnv(extra: Record<string, string> = {}): Record<string, string> {
    return {
      DATABASE_URL: this.url,
      DATABASE_SCHEMA: this.schema,
      KAFKA_BROKERS: this.brokers,
      PORT: '0',
      LOG_LEVEL: 'info',
      CHAIN_UPDATES_TOPIC: this.topics.chainUpdates,
      LEAF_CHANGES_TOPIC: this.topics.leafChanges,
      PROJECTOR_GROUP: this.projectorGroup,
      TOPIC_PARTITIONS: '3',
      ...extra,
    };
  }

  async publish(updates: readonly ChainUpdate[], chunk = 500): Promise<void> {
    for (let i = 0; i < updates.length; i += chunk) {
      await this.producer.send({
        topic: this.topics.chainUpdates,
        acks: -1,
        messages: updates
          .slice(i, i + chunk)
          .map((u) => ({ key: chainUpdateKey(u), value: chainUpdateCodec.encode(u) })),
      });
    }
  }

  async publishRaw(messages: { key: string; value: Buffer }[]): Promise<void> {
    await this.producer.send({ topic: this.topics.chainUpdates, acks: -1, messages });
  }

  /** Runs the registry's tree writer (apps/registry/src/tree-writer) consumer in this process. */
  async startRegistry(): Promise<void> {
    const config = new ConfigService({
      TREE_WRITER_ENABLED: true,
      LEAF_CHANGES_TOPIC: this.topics.leafChanges,
      ROOTS_TOPIC: this.topics.roots,
      TREE_WRITER_GROUP: `registry-${this.suffix}`,
    } as unknown as RegistryConfig);
    const kafka = new KafkaService(this.kafka, this.producer, this.admin);
    const consumer = new LeafChangesConsumer(
      kafka,
      new ApplyLeafChanges(this.pool, 20),
      config,
      new MetricsService('spec'),
    );
    this.registry = await kafka.consume({
      groupId: `registry-${this.suffix}`,
      topics: [this.topics.leafChanges],
      fromBeginning: true,
      handleBatch: (messages) => consumer.handleBatch(messages),
    });
  }

  async stopRegistry(): Promise<void> {
    await this.registry?.stop();
    this.registry = undefined;
  }

  /** Waits until the projector has committed some offsets (work is in flight: time for an outage). */
  async waitSomeProgress(): Promise<void> {
    await waitFor(
      async () => {
        const { rows } = await this.pool.query<{ n: string }>(
          `SELECT COALESCE(SUM(next_offset), 0)::text AS n FROM consumer_offsets WHERE consumer_group = $1`,
          [this.projectorGroup],
        );
        return Number(rows[0]!.n) > 0;
      },
      { what: 'some progress before the outage' },
    );
  }

  /** Kafka end offsets of the chain-updates topic, summed. */
  async chainUpdatesEnd(): Promise<bigint> {
    const offs = await this.admin.fetchTopicOffsets(this.topics.chainUpdates);
    return offs.reduce((s, p) => s + BigInt(p.high), 0n);
  }

  /** Waits until the projector applied everything published, the outbox is sent, and the registry caught up. */
  async waitSettled(timeoutMs = 120000): Promise<void> {
    const end = await this.chainUpdatesEnd();
    await waitFor(
      async () => {
        const { rows } = await this.pool.query<{ done: string; unsent: string; behind: string }>(
          `SELECT (SELECT COALESCE(SUM(next_offset), 0)::text FROM consumer_offsets WHERE consumer_group = $1 AND topic = $2) AS done,
                  (SELECT COUNT(*)::text FROM indexer_outbox WHERE sent_at IS NULL) AS unsent,
                  (SELECT COUNT(*)::text FROM indexer_leaf_seq s LEFT JOIN merkle_trees t ON t.track_id = s.track_id
                    WHERE t.change_seq IS DISTINCT FROM s.last_seq) AS behind`,
          [this.projectorGroup, this.topics.chainUpdates],
        );
        const r = rows[0]!;
        return BigInt(r.done) >= end && r.unsent === '0' && r.behind === '0';
      },
      { timeoutMs, intervalMs: 200, what: 'pipeline settled' },
    );
  }

  /** Waits until the projector applied everything published and the outbox is sent (no registry involved). */
  async waitProjected(timeoutMs = 120000): Promise<void> {
    const end = await this.chainUpdatesEnd();
    await waitFor(
      async () => {
        const { rows } = await this.pool.query<{ done: string; unsent: string }>(
          `SELECT (SELECT COALESCE(SUM(next_offset), 0)::text FROM consumer_offsets WHERE consumer_group = $1 AND topic = $2) AS done,
                  (SELECT COUNT(*)::text FROM indexer_outbox WHERE sent_at IS NULL) AS unsent`,
          [this.projectorGroup, this.topics.chainUpdates],
        );
        return BigInt(rows[0]!.done) >= end && rows[0]!.unsent === '0';
      },
      { timeoutMs, intervalMs: 200, what: 'projector settled' },
    );
  }

  /** Live leaves per track (sorted hex) as the projector derived them (indexer_leaves). */
  async projectedLeaves(): Promise<Map<bigint, string[]>> {
    const { rows } = await this.pool.query<{ track_id: string; leaf: Buffer }>(
      `SELECT track_id::text, leaf FROM indexer_leaves WHERE present`,
    );
    const out = new Map<bigint, string[]>();
    for (const r of rows)
      out.set(BigInt(r.track_id), [...(out.get(BigInt(r.track_id)) ?? []), `0x${r.leaf.toString('hex')}`]);
    for (const [t, l] of out) out.set(t, l.sort());
    return out;
  }

  /** Live leaves per track (sorted hex) read from the registry tables. */
  async registryLeaves(): Promise<Map<bigint, string[]>> {
    const { rows } = await this.pool.query<{ track_id: string; leaf_hash: Buffer }>(
      `SELECT track_id::text, leaf_hash FROM merkle_leaves WHERE revoked_at IS NULL ORDER BY track_id`,
    );
    const out = new Map<bigint, string[]>();
    for (const r of rows) {
      const t = BigInt(r.track_id);
      out.set(t, [...(out.get(t) ?? []), `0x${r.leaf_hash.toString('hex')}`]);
    }
    for (const [t, l] of out) out.set(t, l.sort());
    return out;
  }

  /** For each tree: its stored root, and the root recomputed in memory from its live (index, leaf) rows. */
  async rootsCheck(): Promise<{ trackId: bigint; stored: bigint; recomputed: bigint }[]> {
    const { rows: trees } = await this.pool.query<{ track_id: string; depth: number; root: Buffer }>(
      `SELECT track_id::text, depth, root FROM merkle_trees ORDER BY track_id`,
    );
    const out = [];
    for (const t of trees) {
      const { rows } = await this.pool.query<{ index: string; leaf_hash: Buffer }>(
        `SELECT index::text, leaf_hash FROM merkle_leaves WHERE track_id = $1 AND revoked_at IS NULL`,
        [t.track_id],
      );
      const tree = new SparseMerkleTree(new MemoryNodeStore(), { depth: t.depth, hasher: getHasher() });
      const res = await tree.computeBatch(
        rows.map((r) => ({ index: Number(r.index), leaf: BigInt(`0x${r.leaf_hash.toString('hex')}`) })),
      );
      out.push({
        trackId: BigInt(t.track_id),
        stored: BigInt(`0x${t.root.toString('hex')}`),
        recomputed: rows.length ? res.root : BigInt(`0x${t.root.toString('hex')}`),
      });
    }
    return out;
  }

  async close(): Promise<void> {
    await this.stopRegistry();
    await this.producer.disconnect();
    await this.admin
      .deleteTopics({
        topics: [
          ...Object.values(this.topics),
          dlqTopicOf(this.topics.chainUpdates),
          dlqTopicOf(this.topics.leafChanges),
        ],
      })
      .catch(() => undefined);
    await this.admin.disconnect();
    await this.pool.end();
    await this.dropSchema();
  }
}
