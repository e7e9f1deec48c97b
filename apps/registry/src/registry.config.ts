import { z } from 'zod';
import { env } from '@rv/config';
import { rootPublisherSettings } from './root-publisher/root-publisher.config';
import { treesSettings } from './trees/trees.config';

/** Every setting of apps/registry (environment or .env). */
export const registryConfigSchema = z.object({
  ...env.common,
  ...rootPublisherSettings,
  ...treesSettings,
  PORT: env.port(3001),
  DATABASE_URL: env.databaseUrl(),
  DATABASE_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]*$/)
    .default('public')
    .describe('a lower-case PostgreSQL schema name'),
  KAFKA_BROKERS: env.kafkaBrokers(),
  TREE_WRITER_ENABLED: env
    .bool(true)
    .describe(
      'true or false: run tree-writer/leaf-changes.consumer (Kafka leaf changes -> trees, roots published)',
    ),
  LEAF_CHANGES_TOPIC: z.string().min(1).default('rv.registry.leaf-changes.v1').describe('a Kafka topic name'),
  ROOTS_TOPIC: z.string().min(1).default('rv.registry.roots.v1').describe('a Kafka topic name'),
  TREE_WRITER_GROUP: z
    .string()
    .min(1)
    .default('rv-registry-tree-writer')
    .describe('a Kafka consumer group id'),
  DEFAULT_TREE_DEPTH: z.coerce
    .number()
    .int()
    .min(1)
    .max(32)
    .default(20)
    .describe('a tree depth from 1 to 32'),
});
export type RegistryConfig = z.infer<typeof registryConfigSchema>;
