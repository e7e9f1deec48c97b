import { accessSync, constants } from 'fs';
import { z } from 'zod';
import { env } from '@rv/config';
import { CHAIN_UPDATES_TOPIC, LEAF_CHANGES_TOPIC } from '@rv/events';

const readable = (file: string): boolean => {
  try {
    accessSync(file, constants.R_OK);
    return true;
  } catch {
    return false;
  }
};

const topicName = (fallback: string) =>
  z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,200}$/)
    .default(fallback)
    .describe('a Kafka topic name (letters, digits, . _ -)');

/** Every setting of apps/indexer (environment or .env). */
export const indexerConfigSchema = z.object({
  ...env.common,
  PORT: env.port(3003),
  DATABASE_URL: env.databaseUrl(),
  DATABASE_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]*$/)
    .default('public')
    .describe('a lower-case PostgreSQL schema name'),
  KAFKA_BROKERS: env.kafkaBrokers(),
  GEYSER_ENDPOINT: env.httpUrl('http://127.0.0.1:10000').default('http://127.0.0.1:10000'),
  GEYSER_X_TOKEN: z
    .string()
    .optional()
    .describe('the Yellowstone x-token, sent as x-token metadata (optional; never logged)'),
  GEYSER_CA_FILE: z
    .string()
    .min(1)
    .refine(readable, 'no readable file at this path')
    .optional()
    .describe(
      "a PEM file of the CA certificates to trust for an https:// GEYSER_ENDPOINT (default: the system's roots)",
    ),
  GEYSER_TRANSPORT: z
    .enum(['napi', 'grpc-js'])
    .default('grpc-js')
    .describe(
      "the Yellowstone client transport: grpc-js (the package's protocol and codecs over @grpc/grpc-js) or napi (the package's official N-API client, ~5x more CPU per update)",
    ),
  SOLANA_RPC_URL: env.httpUrl('http://127.0.0.1:8899').default('http://127.0.0.1:8899'),
  INDEXER_ROLES: z
    .string()
    .default('ingest,projector')
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .refine((l) => l.length > 0 && l.every((r) => r === 'ingest' || r === 'projector'))
    .describe('a comma-separated list of roles: ingest, projector'),
  CHAIN_UPDATES_TOPIC: topicName(CHAIN_UPDATES_TOPIC),
  LEAF_CHANGES_TOPIC: topicName(LEAF_CHANGES_TOPIC),
  TOPIC_PARTITIONS: env.positiveInt(6, 'partitions of the topics the indexer creates'),
  PROJECTOR_GROUP: z
    .string()
    .min(1)
    .default('rv-indexer-projector')
    .describe('the projector consumer group id'),
  INGEST_NAME: z.string().min(1).default('ingest').describe('the checkpoint name of this ingest stream'),
  INGEST_START_SLOT: z.coerce
    .number()
    .int()
    .min(0)
    .optional()
    .describe('the slot to start from when there is no checkpoint'),
  INGEST_MAX_BACKOFF_MS: env.positiveInt(10000, 'maximum reconnect backoff in ms'),
  INGEST_RESCAN_SLOTS: z.coerce
    .number()
    .int()
    .min(0)
    .default(512)
    .describe(
      'slots below the checkpoint a (re)subscription may start, to see a DEAD status of checkpointed, not yet finalized slots that published records; below the replay window those slots are checked over RPC (getBlocks) instead (0 = off)',
    ),
  INGEST_STREAM_STALE_MS: env.positiveInt(
    60000,
    'ms the Yellowstone stream may be down or silent before readiness reports it (degraded)',
  ),
});
export type IndexerConfig = z.infer<typeof indexerConfigSchema>;
