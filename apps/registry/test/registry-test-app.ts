import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Client } from 'pg';
import { ConfigService, parseConfig } from '@rv/config';
import { setupOpenApi } from '@rv/observability';
import { createTestSchema, testEnv } from '@rv/testing';
import { registryConfigSchema } from '../src/registry.config';
import { RegistryModule } from '../src/registry.module';

/**
 * A fresh schema with every migration, and the registry app on it (in-process, not listening
 * unless asked). Until libs/db lists migration 1764430000000-registry-leaf-seq, its one
 * statement is applied here (same DDL).
 */
export async function registrySchema(): Promise<{ schema: string; url: string; drop: () => Promise<void> }> {
  const s = await createTestSchema('registry');
  const c = new Client({ connectionString: s.url, options: `-c search_path=${s.schema}` });
  await c.connect();
  try {
    const { rows } = await c.query(
      `SELECT 1 FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'merkle_leaves' AND column_name = 'revoked_seq'`,
      [s.schema],
    );
    if (rows.length === 0)
      await c.query(`ALTER TABLE merkle_leaves ADD COLUMN seq BIGINT, ADD COLUMN revoked_seq BIGINT`);
  } finally {
    await c.end();
  }
  return s;
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
    ...extra,
  });
  const app = await NestFactory.create(RegistryModule.forRoot(new ConfigService(cfg)), { logger: false });
  setupOpenApi(app, 'Rainbow Veil registry', 'test');
  await app.init();
  return app;
}
