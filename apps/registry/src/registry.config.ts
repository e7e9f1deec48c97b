import { z } from 'zod';
import { env } from '@rv/config';

/** Every setting of apps/registry (environment or .env). */
export const registryConfigSchema = z.object({
  ...env.common,
  PORT: env.port(3001),
  DATABASE_URL: env.databaseUrl(),
  DATABASE_SCHEMA: z.string().regex(/^[a-z_][a-z0-9_]*$/).default('public').describe('a lower-case PostgreSQL schema name'),
  KAFKA_BROKERS: env.kafkaBrokers(),
  DEFAULT_TREE_DEPTH: z.coerce.number().int().min(1).max(32).default(20).describe('a tree depth from 1 to 32'),
});
export type RegistryConfig = z.infer<typeof registryConfigSchema>;
