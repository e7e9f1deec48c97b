import { INestApplication } from '@nestjs/common';
import { Client } from 'pg';
import type { QueryRunner } from 'typeorm';
import { migrations } from '@rv/db';
// Deep import only until libs/db registers this migration (then applyRegistryMigration is a no-op).
import { RegistryLeafSeq1764430000000 } from '../../../libs/db/src/migrations/1764430000000-registry-leaf-seq';
import { ConfigService, parseConfig } from '@rv/config';
import { createHttpApp, setupOpenApi } from '@rv/observability';
import { createTestSchema, testEnv } from '@rv/testing';
import { registryConfigSchema } from '../src/registry.config';
import { RegistryModule } from '../src/registry.module';

/**
 * A fresh schema with every migration, and the registry app on it (in-process, not listening,
 * on fastify like apps/registry/src/main.ts).
 * Until libs/db lists migration 1764430000000-registry-leaf-seq, it is applied here.
 */
export async function registrySchema(): Promise<{ schema: string; url: string; drop: () => Promise<void> }> {
  const s = await createTestSchema('registry');
  await applyRegistryMigration(s.url, s.schema);
  return s;
}

export async function applyRegistryMigration(url: string, schema: string): Promise<void> {
  const migration = new RegistryLeafSeq1764430000000();
  if (migrations.some((m) => m.name === migration.name)) return;
  const c = new Client({ connectionString: url, options: `-c search_path=${schema}` });
  await c.connect();
  try {
    await migration.up({ query: (sql: string) => c.query(sql) } as unknown as QueryRunner);
  } finally {
    await c.end();
  }
}

export async function startRegistry(
  schema: string,
  extra: Record<string, string> = {},
): Promise<INestApplication> {
  const cfg = parseConfig(registryConfigSchema, {
    DATABASE_URL: testEnv().DATABASE_URL,
    DATABASE_SCHEMA: schema,
    KAFKA_BROKERS: testEnv().KAFKA_BROKERS,
    LOG_LEVEL: 'silent',
    TREE_WRITER_ENABLED: 'false',
    ...extra,
  });
  const app = await createHttpApp(RegistryModule.forRoot(new ConfigService(cfg)) as never, 'fastify', {
    logger: false,
  });
  setupOpenApi(app, 'Rainbow Veil registry', 'test');
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}
