export { createDataSource, runMigrations, revertMigrations, DataSourceOptions } from './data-source';
export { DbModule } from './db.module';
export { migrations } from './migrations';
export * from './entities';
