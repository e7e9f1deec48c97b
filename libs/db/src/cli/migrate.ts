// Applies (or reverts) the checked-in migrations:
//   node dist/libs/db/src/cli/migrate.js [up|down [steps]|show]
// Reads DATABASE_URL (and DATABASE_SCHEMA, default public) through the typed config.
import { z } from 'zod';
import { env, loadDotEnv, parseConfig } from '@rv/config';
import { createDataSource, revertMigrations, runMigrations } from '../data-source';

async function main(): Promise<void> {
  loadDotEnv();
  const cfg = parseConfig(
    z.object({
      DATABASE_URL: env.databaseUrl(),
      DATABASE_SCHEMA: z
        .string()
        .regex(/^[a-z_][a-z0-9_]*$/)
        .default('public')
        .describe('a lower-case schema name'),
    }),
  );
  const opts = { url: cfg.DATABASE_URL, schema: cfg.DATABASE_SCHEMA, applicationName: 'rv-migrate' };
  const [cmd = 'up', arg] = process.argv.slice(2);
  switch (cmd) {
    case 'up': {
      const applied = await runMigrations(opts);
      console.log(applied.length ? `applied: ${applied.join(', ')}` : 'migrations: up to date');
      break;
    }
    case 'down': {
      const reverted = await revertMigrations(opts, Number(arg ?? 1));
      console.log(reverted.length ? `reverted: ${reverted.join(', ')}` : 'nothing to revert');
      break;
    }
    case 'show': {
      const ds = createDataSource(opts);
      await ds.initialize();
      const pending = await ds.showMigrations();
      await ds.destroy();
      console.log(pending ? 'pending migrations exist' : 'migrations: up to date');
      break;
    }
    default:
      throw new Error(`unknown command "${cmd}" (use up, down [steps] or show)`);
  }
}

main().catch((e: unknown) => {
  console.error(`migrate: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
