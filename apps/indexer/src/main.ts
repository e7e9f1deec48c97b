import 'reflect-metadata';
import { ConfigService, loadDotEnv, parseConfig } from '@rv/config';
import { bootstrapApp, runMain } from '@rv/observability';
import { indexerConfigSchema } from './indexer.config';
import { IndexerModule } from './indexer.module';

runMain('indexer', async () => {
  loadDotEnv();
  const cfg = parseConfig(indexerConfigSchema);
  await bootstrapApp({
    app: 'indexer',
    module: IndexerModule.forRoot(new ConfigService(cfg)),
    host: cfg.HOST,
    port: cfg.PORT,
    shutdownTimeoutMs: cfg.SHUTDOWN_TIMEOUT_MS,
  });
});
