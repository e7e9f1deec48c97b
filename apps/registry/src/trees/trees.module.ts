import { Module } from '@nestjs/common';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { ConfigService } from '@rv/config';
import type { RegistryConfig } from '../registry.config';
import { ApplyLeafChanges, DEFAULT_ROOT_HISTORY } from './apply-leaf-changes';
import { PgTreeStore } from './pg-tree.store';
import { DEFAULT_PATH_CACHE_MB, PathCache } from './path-cache';
import { ReadTree } from './read-tree';
import type { TreesSettings } from './trees.config';
import { TreesController } from './trees.controller';
import { LeafChangesConsumer } from '../tree-writer/leaf-changes.consumer';

/** The pg pool under TypeORM's data source: hot paths use pg directly (multi-row statements). */
export const PG_POOL = Symbol('PG_POOL');

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
      inject: [PgTreeStore, ConfigService],
      useFactory: (store: PgTreeStore, config: ConfigService<RegistryConfig & Partial<TreesSettings>>) =>
        new ReadTree(
          store,
          new PathCache((config.get('REGISTRY_PATH_CACHE_MB') ?? DEFAULT_PATH_CACHE_MB) * 2 ** 20),
        ),
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
  ],
  exports: [ApplyLeafChanges, ReadTree, PgTreeStore],
})
export class TreesModule {}
