import type { Pool } from 'pg';
import { DataSource } from 'typeorm';

/** The pg pool under TypeORM's data source: the indexer's hot paths use pg directly. */
export const PG_POOL = Symbol('PG_POOL');

export const pgPoolProvider = {
  provide: PG_POOL,
  inject: [DataSource],
  useFactory: (ds: DataSource): Pool => (ds.driver as unknown as { master: Pool }).master,
};
