// Operations CLI of the indexer:
//   node -r @swc-node/register apps/indexer/src/cli/indexer-cli.ts status [--json]
//   node -r @swc-node/register apps/indexer/src/cli/indexer-cli.ts backfill --from-slot N [--to-slot M]
//   node -r @swc-node/register apps/indexer/src/cli/indexer-cli.ts replay --from-offset N [--publish-leaf-changes] [--yes]
// Settings come from the indexer's environment (indexer.config.ts), like the app.
import 'reflect-metadata';
import { SingleBar, Presets } from 'cli-progress';
import { Connection } from '@solana/web3.js';
import { Pool } from 'pg';
import { loadDotEnv, parseConfig } from '@rv/config';
import { createIdempotentProducer, createKafka } from '@rv/kafka';
import { indexerConfigSchema, type IndexerConfig } from '../indexer.config';
import { Ingest } from '../ingest/ingest';
import { Projector } from '../projector/projector';
import { collectStatus, formatStatus } from './status';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const flag = (name: string) => process.argv.includes(name);

function intArg(name: string, required: boolean): number | undefined {
  const v = arg(name);
  if (v === undefined) {
    if (required) throw new Error(`${name} is required`);
    return undefined;
  }
  if (!/^\d+$/.test(v)) throw new Error(`${name} expects a non-negative integer, got "${v}"`);
  return Number(v);
}

const bar = (what: string) =>
  new SingleBar(
    {
      format: `${what} [{bar}] {percentage}% | {value}/{total} | ETA {eta_formatted} | {rate}/s`,
      hideCursor: true,
    },
    Presets.shades_classic,
  );

async function main(): Promise<void> {
  loadDotEnv();
  const cfg: IndexerConfig = parseConfig(indexerConfigSchema);
  const pool = new Pool({
    connectionString: cfg.DATABASE_URL,
    options: `-c search_path=${cfg.DATABASE_SCHEMA}`,
    max: 4,
  });
  const kafka = createKafka({ brokers: cfg.KAFKA_BROKERS, clientId: 'rv-indexer-cli' });
  const cmd = process.argv[2];
  try {
    switch (cmd) {
      case 'status': {
        const s = await collectStatus({
          pool,
          kafka,
          rpc: new Connection(cfg.SOLANA_RPC_URL, 'confirmed'),
          cfg,
        });
        console.log(
          flag('--json')
            ? JSON.stringify(s, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))
            : formatStatus(s),
        );
        return;
      }
      case 'backfill': {
        const from = intArg('--from-slot', true)!;
        const to =
          intArg('--to-slot', false) ??
          (await new Connection(cfg.SOLANA_RPC_URL, 'confirmed').getSlot('confirmed'));
        if (to < from) throw new Error(`--to-slot ${to} is below --from-slot ${from}`);
        const producer = createIdempotentProducer(kafka);
        await producer.connect();
        try {
          const ingest = new Ingest({
            pool,
            producer,
            chainUpdatesTopic: cfg.CHAIN_UPDATES_TOPIC,
            geyserEndpoint: cfg.GEYSER_ENDPOINT,
            rpcUrl: cfg.SOLANA_RPC_URL,
            name: cfg.INGEST_NAME,
          });
          await ingest.load();
          const b = bar(`backfill ${from}..${to}`);
          b.start(1, 0);
          await ingest.backfillRange(from, to, (done, total) => {
            b.setTotal(Math.max(total, 1));
            b.update(done);
          });
          b.stop();
          console.log(`backfilled slots ${from}..${to}; checkpoint ${ingest.checkpointSlot ?? 'none'}`);
        } finally {
          await producer.disconnect();
        }
        return;
      }
      case 'replay':
        await replay(cfg, pool, kafka);
        return;
      case undefined:
      default:
        throw new Error(
          `unknown command "${cmd ?? ''}" (use status, backfill --from-slot N, replay --from-offset N)`,
        );
    }
  } finally {
    await pool.end();
  }
}

/**
 * Rebuilds the projections from Kafka into empty tables: empties them, points the projector group
 * at --from-offset on every partition, projects up to the end offsets seen at start (progress bar),
 * stops. The indexer's projector must be stopped meanwhile. Leaf changes derived during the replay
 * are NOT published unless --publish-leaf-changes (the registry already has them; republish only
 * when the registry is rebuilt too).
 */
async function replay(cfg: IndexerConfig, pool: Pool, kafka: ReturnType<typeof createKafka>): Promise<void> {
  const from = intArg('--from-offset', true)!;
  if (!flag('--yes')) throw new Error('replay empties the projection tables; add --yes to confirm');
  const topic = cfg.CHAIN_UPDATES_TOPIC;
  const group = cfg.PROJECTOR_GROUP;
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(
      `TRUNCATE identities, holdings, tracks, nullifiers, verifications, indexer_leaves, indexer_leaf_seq, indexer_onchain_roots, indexer_dead_letters`,
    );
    await client.query(
      `UPDATE merkle_roots SET accepted = false, accepted_slot = NULL, accepted_signature = NULL`,
    );
    await client.query(`DELETE FROM consumer_offsets WHERE consumer_group = $1 AND topic = $2`, [
      group,
      topic,
    ]);
    for (const e of ends) {
      await client.query(
        `INSERT INTO consumer_offsets (consumer_group, topic, partition, next_offset) VALUES ($1, $2, $3, $4)`,
        [group, topic, e.partition, Math.min(from, Number(e.high))],
      );
    }
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK');
    throw e;
  } finally {
    client.release();
  }
  const total = ends.reduce((s, e) => s + Math.max(0, Number(e.high) - from), 0);
  const producer = createIdempotentProducer(kafka);
  await producer.connect();
  const publish = flag('--publish-leaf-changes');
  const projector = new Projector({
    kafka,
    producer,
    pool,
    groupId: group,
    topics: { chainUpdates: topic, leafChanges: cfg.LEAF_CHANGES_TOPIC },
    relay: publish,
  });
  const firstOutbox = (
    await pool.query<{ id: string }>(`SELECT COALESCE(MAX(id), 0)::text AS id FROM indexer_outbox`)
  ).rows[0]!.id;
  const b = bar(`replay ${topic} from offset ${from}`);
  b.start(Math.max(total, 1), 0);
  await projector.start();
  try {
    for (;;) {
      const { rows } = await pool.query<{ done: string }>(
        `SELECT COALESCE(SUM(next_offset - LEAST($3::bigint, next_offset)), 0)::text AS done FROM consumer_offsets WHERE consumer_group = $1 AND topic = $2`,
        [group, topic, from],
      );
      const done = Number(rows[0]!.done);
      b.update(Math.min(done, total));
      if (done >= total) break;
      await new Promise((r) => setTimeout(r, 500));
    }
  } finally {
    await projector.stop();
    b.stop();
  }
  if (!publish)
    await pool.query(`UPDATE indexer_outbox SET sent_at = now() WHERE id > $1 AND sent_at IS NULL`, [
      firstOutbox,
    ]);
  await producer.disconnect();
  console.log(
    `replayed ${total} record(s) from offset ${from}${publish ? ' (leaf changes published)' : ' (leaf changes not published)'}`,
  );
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(`indexer-cli: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
