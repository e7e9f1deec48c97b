import { Module } from '@nestjs/common';
import type { Pool } from 'pg';
import { Gauge } from 'prom-client';
import { DataSource } from 'typeorm';
import { ConfigService } from '@rv/config';
import { MetricsService } from '@rv/observability';
import type { RegistryConfig } from '../registry.config';
import { ApplyLeafChanges, DEFAULT_ROOT_HISTORY } from './apply-leaf-changes';
import { PgTreeStore } from './pg-tree.store';
import { DEFAULT_PATH_CACHE_MB, PathCache } from './path-cache';
import { ReadTree } from './read-tree';
import type { TreesSettings } from './trees.config';
import { TreesController } from './trees.controller';
import { PathsFastLane } from './paths-fast-lane';
import { LeafChangesConsumer } from '../tree-writer/leaf-changes.consumer';

/** The pg pool under TypeORM's data source: hot paths use pg directly (multi-row statements). */
export const PG_POOL = Symbol('PG_POOL');

/** Path serving counters, read when scraped. */
function registerReadMetrics(metrics: MetricsService, read: ReadTree): void {
  const sample = (name: string, help: string, value: () => number) =>
    new Gauge({
      name,
      help,
      registers: [metrics.registry],
      collect: function () {
        this.set(value());
      },
    });
  sample('registry_paths_served', 'paths served at the current head (monotonic)', () => read.served.paths);
  sample(
    'registry_paths_from_cache',
    'of those, paths served from the path cache (monotonic)',
    () => read.served.fromCache,
  );
  sample(
    'registry_head_reads',
    'statements that read tree heads, shared by concurrent requests (monotonic)',
    () => read.heads.queries,
  );
  sample(
    'registry_path_reads',
    'statements that read uncached paths, shared by concurrent requests (monotonic)',
    () => read.current.reads,
  );
  sample(
    'registry_path_cache_bytes',
    'bytes held by the path cache (REGISTRY_PATH_CACHE_MB)',
    () => read.cache.usedBytes,
  );
}

@Module({
  controllers: [TreesController],
  providers: [
    {
      provide: PG_POOL,
      inject: [DataSource],
      useFactory: (ds: DataSource) => (ds.driver as unknown as { master: Pool }).master,
    },
    { provide: PgTreeStore, inject: [PG_POOL], useFactory: (pool: Pool) => new PgTreeStore(pool) },
    {
      provide: ReadTree,
      inject: [PgTreeStore, ConfigService, MetricsService],
      useFactory: (
        store: PgTreeStore,
        config: ConfigService<RegistryConfig & Partial<TreesSettings>>,
        metrics: MetricsService,
      ) => {
        const read = new ReadTree(
          store,
          new PathCache((config.get('REGISTRY_PATH_CACHE_MB') ?? DEFAULT_PATH_CACHE_MB) * 2 ** 20),
        );
        registerReadMetrics(metrics, read);
        return read;
      },
    },
    {
      provide: ApplyLeafChanges,
      inject: [PG_POOL, ConfigService],
      useFactory: (pool: Pool, config: ConfigService<RegistryConfig & Partial<TreesSettings>>) =>
        new ApplyLeafChanges(
          pool,
          config.get('DEFAULT_TREE_DEPTH'),
          undefined,
          config.get('REGISTRY_ROOT_HISTORY') ?? DEFAULT_ROOT_HISTORY,
        ),
    },
    LeafChangesConsumer,
    PathsFastLane,
  ],
  exports: [ApplyLeafChanges, ReadTree, PgTreeStore],
})
export class TreesModule {}
