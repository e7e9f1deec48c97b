import { DataSource } from 'typeorm';
import { entities } from './entities';
import { migrations } from './migrations';

export interface DataSourceOptions {
  url: string;
  /** PostgreSQL schema to use (tests use one each); default `public`. */
  schema?: string;
  poolSize?: number;
  applicationName?: string;
}

/** The TypeORM data source: `synchronize: false`, checked-in migrations only. */
export function createDataSource(opts: DataSourceOptions): DataSource {
  const schema = opts.schema ?? 'public';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`invalid schema name: ${schema}`);
  return new DataSource({
    type: 'postgres',
    url: opts.url,
    schema,
    entities,
    migrations,
    migrationsTableName: 'migrations',
    synchronize: false,
    migrationsRun: false,
    logging: false,
    applicationName: opts.applicationName ?? 'rainbow-veil',
    extra: {
      max: opts.poolSize ?? 10,
      options: `-c search_path=${schema}`,
      connectionTimeoutMillis: 5000,
    },
  });
}

/** Creates the schema if needed and applies pending migrations. Returns the names applied. */
export async function runMigrations(opts: DataSourceOptions): Promise<string[]> {
  const ds = createDataSource({ ...opts, poolSize: 1 });
  await ds.initialize();
  try {
    await ds.query(`CREATE SCHEMA IF NOT EXISTS "${opts.schema ?? 'public'}"`);
    const applied = await ds.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    await ds.destroy();
  }
}

/** Reverts the last `steps` applied migrations. Returns the names reverted. */
export async function revertMigrations(opts: DataSourceOptions, steps = 1): Promise<string[]> {
  const ds = createDataSource({ ...opts, poolSize: 1 });
  await ds.initialize();
  const reverted: string[] = [];
  try {
    for (let i = 0; i < steps; i++) {
      const executed: { name: string }[] = await ds.query(
        `SELECT name FROM "${opts.schema ?? 'public'}".migrations ORDER BY id DESC LIMIT 1`,
      );
      if (executed.length === 0) break;
      await ds.undoLastMigration({ transaction: 'each' });
      reverted.push(executed[0]!.name);
    }
    return reverted;
  } finally {
    await ds.destroy();
  }
}
