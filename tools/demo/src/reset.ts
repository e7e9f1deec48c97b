import Redis from 'ioredis';
import { Client } from 'pg';
import { createKafka } from '@rv/kafka';
import { RV_TOPICS } from '@rv/events';
import { PROVER_JOBS_TOPIC } from '@rv/sealed';
import { runMigrations } from '@rv/db';

/** Every topic the stack writes with its default names, with their dead-letter topics. */
export const STACK_TOPICS = [...RV_TOPICS, PROVER_JOBS_TOPIC, 'rv.prover.results.v1'].flatMap((t) => [
  t,
  `${t}.dlq`,
]);

/**
 * A fresh local demo: the local chain starts empty each run, so the projections (schema `schema`)
 * and the topics of the previous run are dropped. Only ever called for the project's own local
 * services (never for clusters named in the environment).
 */
export async function resetDemoState(opts: {
  databaseUrl: string;
  schema: string;
  brokers: string[];
  redisUrl: string;
}): Promise<void> {
  const db = new Client({ connectionString: opts.databaseUrl });
  await db.connect();
  try {
    await db.query(`DROP SCHEMA IF EXISTS "${opts.schema}" CASCADE`);
  } finally {
    await db.end();
  }
  await runMigrations({ url: opts.databaseUrl, schema: opts.schema });

  // Earlier demo stacks' gateway cache and counters (each stack has its own prefix).
  const redis = new Redis(opts.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 });
  await redis.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', 'rv:gw:demo-*', 'COUNT', 1000);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }

  const admin = createKafka({ brokers: opts.brokers, clientId: 'rv-demo-reset' }).admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const doomed = STACK_TOPICS.filter((t) => existing.has(t));
    if (doomed.length) {
      await admin.deleteTopics({ topics: doomed, timeout: 30_000 });
      const deadline = Date.now() + 30_000;
      while ((await admin.listTopics()).some((t) => doomed.includes(t))) {
        if (Date.now() > deadline) throw new Error(`Kafka did not delete ${doomed.join(', ')} within 30 s`);
        await new Promise((r) => setTimeout(r, 200));
      }
      // Let the controller forget them before the apps create them again.
      await new Promise((r) => setTimeout(r, 1000));
    }
    const groups = (await admin.listGroups()).groups.map((g) => g.groupId).filter((g) => g.startsWith('rv-'));
    if (groups.length) await admin.deleteGroups(groups).catch(() => undefined);
  } finally {
    await admin.disconnect();
  }
}
