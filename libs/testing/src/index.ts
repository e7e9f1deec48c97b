import { randomBytes } from 'crypto';
import { Client } from 'pg';
import { runMigrations } from '@rv/db';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { testEnv: jsTestEnv } = require('./test-env') as { testEnv: () => TestEnv };

export interface TestEnv {
  DATABASE_URL: string;
  REDIS_URL: string;
  KAFKA_BROKERS: string;
}

/** Connection settings for integration specs: the environment, else scripts/infra.sh's defaults. */
export const testEnv = (): TestEnv => jsTestEnv();

/** A name no other spec (or earlier run) uses: `${prefix}_<random>` in lower case. */
export const uniqueName = (prefix: string): string => `${prefix}_${randomBytes(5).toString('hex')}`;

/** Polls `probe` until it returns a truthy value or the deadline passes. */
export async function waitFor<T>(
  probe: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  { timeoutMs = 15000, intervalMs = 50, what = 'condition' } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > deadline) {
      const why = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${why}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** A fresh PostgreSQL schema with all migrations applied; `drop()` removes it. */
export async function createTestSchema(
  prefix = 'spec',
): Promise<{ schema: string; url: string; drop: () => Promise<void> }> {
  const url = testEnv().DATABASE_URL;
  const schema = uniqueName(prefix);
  await runMigrations({ url, schema });
  return {
    schema,
    url,
    drop: async () => {
      const c = new Client({ connectionString: url });
      await c.connect();
      try {
        await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await c.end();
      }
    },
  };
}

export { ThrowawayPostgres, freePort } from './throwaway-postgres';
export { spawnApp, SpawnedApp } from './spawn-app';
export { ThrowawayKafka } from './throwaway-kafka';
