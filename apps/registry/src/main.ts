import 'reflect-metadata';
import { ConfigService, loadDotEnv, parseConfig } from '@rv/config';
import { bootstrapApp, runMain, setupOpenApi } from '@rv/observability';
import { registryConfigSchema } from './registry.config';
import { RegistryModule } from './registry.module';

runMain('registry', async () => {
  loadDotEnv();
  const cfg = parseConfig(registryConfigSchema);
  await bootstrapApp({
    app: 'registry',
    module: RegistryModule.forRoot(new ConfigService(cfg)),
    host: cfg.HOST,
    port: cfg.PORT,
    shutdownTimeoutMs: cfg.SHUTDOWN_TIMEOUT_MS,
    // Path serving is the hot path: fastify costs less per request than express.
    platform: 'fastify',
    configure: (app) =>
      setupOpenApi(
        app,
        'Rainbow Veil registry',
        'Per-track Merkle trees: roots, root history, paths, leaves',
      ),
  });
});
