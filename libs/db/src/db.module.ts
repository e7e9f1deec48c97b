import { DynamicModule, Inject, Injectable, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { HealthRegistry } from '@rv/observability';
import { createDataSource, DataSourceOptions } from './data-source';

const DB_OPTIONS = Symbol('DB_OPTIONS');

/** Closes the pool last, after consumers and HTTP have drained. */
@Injectable()
class DbLifecycle implements OnApplicationShutdown {
  constructor(@Inject(DataSource) private readonly ds: DataSource) {}
  async onApplicationShutdown(): Promise<void> {
    if (this.ds.isInitialized) await this.ds.destroy();
  }
}

async function connect(opts: DataSourceOptions & { connectTimeoutMs: number }): Promise<DataSource> {
  const log = new Logger('Db');
  const deadline = Date.now() + opts.connectTimeoutMs;
  const target = (() => {
    const u = new URL(opts.url);
    return `${u.hostname}:${u.port || 5432}${u.pathname}`;
  })();
  for (let attempt = 1; ; attempt++) {
    const ds = createDataSource(opts);
    try {
      await ds.initialize();
      return ds;
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      if (Date.now() > deadline) throw new Error(`cannot reach PostgreSQL at ${target}: ${msg}`);
      log.warn(`PostgreSQL at ${target} not reachable (attempt ${attempt}): ${msg}; retrying`);
      await new Promise((r) => setTimeout(r, Math.min(2000, 200 * attempt)));
    }
  }
}

@Module({})
export class DbModule {
  static forRoot(opts: DataSourceOptions & { connectTimeoutMs?: number }): DynamicModule {
    return {
      module: DbModule,
      global: true,
      providers: [
        { provide: DB_OPTIONS, useValue: opts },
        {
          provide: DataSource,
          inject: [HealthRegistry],
          useFactory: async (health: HealthRegistry) => {
            const ds = await connect({ ...opts, connectTimeoutMs: opts.connectTimeoutMs ?? 20000 });
            health.register({
              name: 'postgres',
              check: async () => {
                await ds.query('SELECT 1');
              },
            });
            return ds;
          },
        },
        DbLifecycle,
      ],
      exports: [DataSource],
    };
  }
}
