import 'reflect-metadata';
import { ConfigService, loadDotEnv, parseConfig } from '@rv/config';
import { bootstrapApp, runMain, setupOpenApi } from '@rv/observability';
import { gatewayConfigSchema } from './gateway.config';
import { GatewayModule } from './gateway.module';

runMain('gateway', async () => {
  loadDotEnv();
  const cfg = parseConfig(gatewayConfigSchema);
  await bootstrapApp({
    app: 'gateway',
    module: GatewayModule.forRoot(new ConfigService(cfg)),
    host: cfg.HOST,
    port: cfg.PORT,
    shutdownTimeoutMs: cfg.SHUTDOWN_TIMEOUT_MS,
    configure: (app) => setupOpenApi(app, 'Rainbow Veil partner API', 'Token-gated access proofs for partners'),
  });
});
