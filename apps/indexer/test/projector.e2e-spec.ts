import type { KafkaMessage } from 'kafkajs';
import { chainUpdateCodec, type ChainUpdate } from '@rv/events';
import { DLQ_HEADERS, dlqTopicOf } from '@rv/kafka';
import {
  spawnApp,
  ThrowawayKafka,
  ThrowawayPostgres,
  uniqueName,
  waitFor,
  type SpawnedApp,
} from '@rv/testing';
import { MetricsService } from '@rv/observability';
import { Projector } from '../src/projector/projector';
import { projectorMetrics, type ProjectorMetrics } from '../src/projector/projector-metrics';
import { churnScenario, type ExpectedState } from './support/churn';
import { Pipeline } from './support/harness';

async function expectExactState(p: Pipeline, expected: ExpectedState): Promise<void> {
  const leaves = await p.registryLeaves();
  expect([...expected.leaves.values()].flat().length).toBeGreaterThan(0); // the scenario is not trivial
  for (const t of expected.tracks) {
    const got = leaves.get(t.trackId) ?? [];
    expect({ track: t.trackId, leaves: got }).toEqual({
      track: t.trackId,
      leaves: expected.leaves.get(t.trackId),
    });
    expect(new Set(got).size).toBe(got.length); // no duplicate leaf
  }
  for (const r of await p.rootsCheck()) expect(r.stored).toBe(r.recomputed);
  const { rows } = await p.pool.query<{ identities: string; nullifiers: string[]; verifications: string }>(
    `SELECT (SELECT COUNT(*)::text FROM identities) AS identities,
            ARRAY(SELECT '0x' || encode(hash, 'hex') FROM nullifiers ORDER BY 1) AS nullifiers,
            (SELECT COUNT(*)::text FROM verifications) AS verifications`,
  );
  expect(Number(rows[0]!.identities)).toBe(expected.identities);
  expect(rows[0]!.nullifiers).toEqual(expected.nullifiers);
  expect(Number(rows[0]!.verifications)).toBe(expected.nullifiers.length);
}

async function readAll(p: Pipeline, topic: string, count: number): Promise<KafkaMessage[]> {
  const got: KafkaMessage[] = [];
  const c = p.kafka.consumer({ groupId: uniqueName('reader') });
  await c.connect();
  await c.subscribe({ topics: [topic], fromBeginning: true });
  await c.run({ eachMessage: async ({ message }) => void got.push(message) });
  await waitFor(() => got.length >= count, { what: `${count} messages on ${topic}` });
  await c.disconnect();
  return got;
}

/** A projector (not started) over the pipeline's Kafka, producer, pool, consumer group and topics. */
function projectorOf(p: Pipeline, metrics?: ProjectorMetrics): Projector {
  return new Projector({
    kafka: p.kafka,
    producer: p.producer,
    pool: p.pool,
    groupId: p.projectorGroup,
    topics: p.topics,
    ...(metrics ? { metrics } : {}),
  });
}

/**
 * The restart tests' start: the first half of a churn scenario published, the projector (and the
 * registry's tree writer if asked) running and past its first commits. Returns the other half, to
 * publish during or after the outage, and the state the whole scenario must end in.
 */
async function startProjector(
  p: Pipeline,
  projector: Projector,
  { seed, registry = false }: { seed: number; registry?: boolean },
): Promise<{ rest: ChainUpdate[]; expected: ExpectedState }> {
  const { updates, expected } = churnScenario({
    seed,
    tracks: 3,
    holders: 60,
    changes: 1200,
    verifications: 30,
  });
  const half = Math.floor(updates.length / 2);
  await p.publish(updates.slice(0, half));
  if (registry) await p.startRegistry();
  await projector.start();
  await p.waitSomeProgress();
  return { rest: updates.slice(half), expected };
}

describe('indexer projector (real Kafka + PostgreSQL)', () => {
  let p: Pipeline;

  beforeEach(async () => {
    p = await Pipeline.create();
  });
  afterEach(async () => {
    await p.close();
  });

  it('projects a churn scenario to exactly the expected leaves, roots, identities, nullifiers and verifications', async () => {
    const { updates, expected } = churnScenario({
      seed: 1,
      tracks: 3,
      holders: 60,
      changes: 600,
      verifications: 40,
      replayFraction: 0.05,
    });
    const projector = projectorOf(p);
    await p.publish(updates);
    await projector.start();
    await p.startRegistry();
    try {
      await p.waitSettled();
      await expectExactState(p, expected);
    } finally {
      await projector.stop();
    }
  });

  it('sends undecodable, wrong-version and invalid records to the dead-letter topic with the reason, and keeps projecting', async () => {
    const { updates, expected } = churnScenario({
      seed: 2,
      tracks: 1,
      holders: 10,
      changes: 60,
      verifications: 3,
    });
    const good = updates.map((u) => ({ key: 'x', value: chainUpdateCodec.encode(u) }));
    const wrongVersion = Buffer.from(
      chainUpdateCodec.encode(updates[0]!).toString().replace('"v":1', '"v":2'),
    );
    const bad = [
      { key: 'x', value: Buffer.from('not json at all') },
      { key: 'x', value: wrongVersion },
      { key: 'x', value: Buffer.from('{"v":1,"type":"holding_changed","slot":1}') },
    ];
    // The poison records sit in the middle of one partition's stream (same key).
    await p.publishRaw([...good.slice(0, 20), ...bad, ...good.slice(20)]);
    const projector = projectorOf(p);
    await projector.start();
    await p.startRegistry();
    try {
      await p.waitSettled();
      await expectExactState(p, expected);
      const dlq = await readAll(p, dlqTopicOf(p.topics.chainUpdates), 3);
      const codes = dlq.map((m) => String(m.headers?.[DLQ_HEADERS.code]));
      expect(codes).toEqual(['bad_encoding', 'schema_version', 'invalid']);
      expect(String(dlq[1]!.headers?.[DLQ_HEADERS.reason])).toBe(
        'schema version 2 is not supported (expected 1)',
      );
      expect(dlq.map((m) => m.value?.toString())).toEqual(bad.map((b) => b.value.toString()));
      const { rows } = await p.pool.query<{ n: string }>(
        `SELECT COUNT(*)::text AS n FROM indexer_dead_letters`,
      );
      expect(rows[0]!.n).toBe('3');
    } finally {
      await projector.stop();
    }
  });

  it('survives kill -9 of the projector process mid-batch, several times: same exact state, no duplicate leaf', async () => {
    // ~6,100 records: several projector transactions (at most 2,000 records each), so that each of
    // the kills below lands after some commits and before the end.
    const { updates, expected } = churnScenario({
      seed: 3,
      tracks: 3,
      holders: 80,
      changes: 6000,
      verifications: 60,
    });
    await p.publish(updates);
    await p.startRegistry();
    const env = p.indexerEnv({ INDEXER_ROLES: 'projector' });
    const applied = async () => {
      const { rows } = await p.pool.query<{ n: string }>(
        `SELECT COALESCE(SUM(next_offset), 0)::text AS n FROM consumer_offsets WHERE consumer_group = $1`,
        [p.projectorGroup],
      );
      return BigInt(rows[0]!.n);
    };
    const total = BigInt(updates.length);
    let kills = 0;
    let app: SpawnedApp | undefined;
    try {
      for (let round = 0; round < 3; round++) {
        const before = await applied();
        app = spawnApp('indexer', env);
        await app.listening(60000);
        // Kill as soon as this process has committed something, while it is still projecting.
        await waitFor(async () => (await applied()) > before || (await applied()) >= total, {
          timeoutMs: 60000,
          what: 'progress',
        });
        if ((await applied()) >= total) break;
        app.proc.kill('SIGKILL');
        await app.exited;
        kills++;
      }
      if (!app || app.proc.exitCode !== null || app.proc.signalCode !== null) {
        app = spawnApp('indexer', env);
        await app.listening(60000);
      }
      await p.waitSettled(180000);
      expect(kills).toBeGreaterThanOrEqual(2);
      await expectExactState(p, expected);
    } finally {
      if (app && app.proc.exitCode === null && app.proc.signalCode === null) {
        app.proc.kill('SIGTERM');
        await app.exited;
      }
    }
  });

  it('marks the registry root of (track, seq) accepted when the chain publishes it, alarms on a different root, and un-accepts on a dead slot', async () => {
    const { updates } = churnScenario({ seed: 4, tracks: 2, holders: 30, changes: 200, verifications: 0 });
    const metrics = projectorMetrics(new MetricsService('spec'));
    const projector = projectorOf(p, metrics);
    await p.publish(updates);
    await projector.start();
    await p.startRegistry();
    try {
      await p.waitSettled();
      const latest = async (track: number) =>
        (
          await p.pool.query<{ seq: string; root: Buffer; accepted: boolean }>(
            `SELECT r.seq::text AS seq, r.root, r.accepted FROM merkle_roots r WHERE r.track_id = $1 ORDER BY r.seq DESC LIMIT 1`,
            [track],
          )
        ).rows[0]!;
      const r1 = await latest(1);
      const r2 = await latest(2);
      const sig = (n: number) =>
        `${'2Ana1pUpv2ZbMVkwF5FXapYeBEjdxDatLn7nvJkhgTSXbs59SyZSx866bXirPgj8QQVB57uxHJBG1YF'}${'vkRbFj4T'.slice(0, 8 - String(n).length)}${n}`;
      const accept: ChainUpdate = {
        type: 'root_updated',
        id: `${sig(1)}:0`,
        slot: 5000,
        signature: sig(1),
        trackId: 1n,
        root: `0x${r1.root.toString('hex')}`,
        leafCount: 1n,
        seq: BigInt(r1.seq),
      };
      const wrong: ChainUpdate = {
        type: 'root_updated',
        id: `${sig(2)}:0`,
        slot: 5000,
        signature: sig(2),
        trackId: 2n,
        root: `0x${'00'.repeat(31)}01`,
        leafCount: 1n,
        seq: BigInt(r2.seq),
      };
      await p.publish([accept, wrong]);
      await p.waitSettled();
      expect((await latest(1)).accepted).toBe(true);
      expect((await latest(2)).accepted).toBe(false);
      const { rows } = await p.pool.query<{ track_id: string; verdict: string }>(
        `SELECT track_id::text, verdict FROM indexer_onchain_roots ORDER BY 1`,
      );
      expect(rows).toEqual([
        { track_id: '1', verdict: 'accepted' },
        { track_id: '2', verdict: 'mismatch' },
      ]);
      expect((await metrics.rootMismatches.get()).values).toEqual([{ value: 1, labels: { track: '2' } }]);
      // The slot of the accepting transaction dies: the acceptance is withdrawn.
      await p.publish([{ type: 'event_reverted', id: `revert:${accept.id}`, slot: 5000, original: accept }]);
      await p.waitSettled();
      expect((await latest(1)).accepted).toBe(false);
    } finally {
      await projector.stop();
    }
  });
});

describe('indexer projector across a PostgreSQL restart', () => {
  it('keeps retrying while PostgreSQL is down and ends in the exact expected projections after it restarts', async () => {
    const pg = await ThrowawayPostgres.create();
    const p = await Pipeline.create(3, pg.url);
    const projector = projectorOf(p);
    try {
      const { rest, expected } = await startProjector(p, projector, { seed: 5 });
      pg.stop(); // immediate shutdown
      await p.publish(rest); // work arrives while PostgreSQL is down: batches fail and are retried
      await new Promise((r) => setTimeout(r, 3000)); // an outage of a few seconds (a duration, not a condition)
      pg.start();
      await p.waitProjected(180000);
      // The projector's side: what it told the registry (the registry's own tree writer is not
      // part of this test) and the projections.
      expect(await p.projectedLeaves()).toEqual(
        new Map([...expected.leaves].filter(([, l]) => l.length > 0)),
      );
      const { rows } = await p.pool.query<{
        identities: string;
        nullifiers: string[];
        verifications: string;
      }>(
        `SELECT (SELECT COUNT(*)::text FROM identities) AS identities,
                ARRAY(SELECT '0x' || encode(hash, 'hex') FROM nullifiers ORDER BY 1) AS nullifiers,
                (SELECT COUNT(*)::text FROM verifications) AS verifications`,
      );
      expect(rows[0]).toEqual({
        identities: String(expected.identities),
        nullifiers: expected.nullifiers,
        verifications: String(expected.nullifiers.length),
      });
    } finally {
      await projector.stop();
      await p.close();
      pg.destroy();
    }
  });
});

describe('indexer projector and tree writer across a Kafka restart', () => {
  it('loses and duplicates nothing when the broker crashes mid-stream and comes back', async () => {
    const kafka = await ThrowawayKafka.create();
    const p = await Pipeline.create(3, undefined, kafka.brokers);
    const projector = projectorOf(p);
    try {
      const { rest, expected } = await startProjector(p, projector, { seed: 11, registry: true });
      await kafka.stop(); // a crash (SIGKILL) with batches, offsets and outbox sends in flight
      await new Promise((r) => setTimeout(r, 3000)); // an outage of a few seconds (a duration, not a condition)
      await kafka.start();
      await p.publish(rest);
      await p.waitSettled(240000); // rebalances after the broker comes back take a while on a loaded machine
      // leaves, recomputed roots, identities, nullifiers, verifications: exactly as computed
      await expectExactState(p, expected);
    } finally {
      await projector.stop();
      await p.stopRegistry();
      await p.close();
      await kafka.destroy();
    }
  }, 400_000);
});

export type { ChainUpdate };
