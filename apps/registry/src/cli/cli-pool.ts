import { Pool } from 'pg';
import { loadDotEnv, parseConfig } from '@rv/config';
import { registryConfigSchema } from '../registry.config';

/** Settings and a pg pool for the registry's command-line tools (same variables as the app). */
export function cliPool(): { pool: Pool; defaultDepth: number } {
  loadDotEnv();
  const cfg = parseConfig(
    registryConfigSchema.pick({ DATABASE_URL: true, DATABASE_SCHEMA: true, DEFAULT_TREE_DEPTH: true }),
  );
  const pool = new Pool({
    connectionString: cfg.DATABASE_URL,
    max: 2,
    options: `-c search_path=${cfg.DATABASE_SCHEMA}`,
  });
  return { pool, defaultDepth: cfg.DEFAULT_TREE_DEPTH };
}
