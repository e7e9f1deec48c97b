import { z } from 'zod';
import { env } from '@rv/config';

/** Every setting of apps/indexer (environment or .env). */
export const indexerConfigSchema = z.object({
  ...env.common,
  PORT: env.port(3003),
  DATABASE_URL: env.databaseUrl(),
  DATABASE_SCHEMA: z.string().regex(/^[a-z_][a-z0-9_]*$/).default('public').describe('a lower-case PostgreSQL schema name'),
  KAFKA_BROKERS: env.kafkaBrokers(),
  GEYSER_ENDPOINT: env.httpUrl('http://127.0.0.1:10000').default('http://127.0.0.1:10000'),
  GEYSER_X_TOKEN: z.string().optional().describe('the Yellowstone x-token (optional)'),
  SOLANA_RPC_URL: env.httpUrl('http://127.0.0.1:8899').default('http://127.0.0.1:8899'),
});
export type IndexerConfig = z.infer<typeof indexerConfigSchema>;
