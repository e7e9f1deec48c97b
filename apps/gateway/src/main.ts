import 'reflect-metadata';
import { ConfigService, loadDotEnv, parseConfig } from '@rv/config';
import { bootstrapApp, runMain } from '@rv/observability';
import { checkGatewayConfig, gatewayConfigSchema } from './gateway.config';
import { GatewayModule } from './gateway.module';
import { configureGateway } from './http/configure-app';

runMain('gateway', async () => {
  loadDotEnv();
  const cfg = checkGatewayConfig(parseConfig(gatewayConfigSchema));
  await bootstrapApp({
    app: 'gateway',
    module: GatewayModule.forRoot(new ConfigService(cfg)),
    host: cfg.HOST,
    port: cfg.PORT,
    shutdownTimeoutMs: cfg.SHUTDOWN_TIMEOUT_MS,
    // reads are the hot path: fastify costs less per request than express
    platform: 'fastify',
    configure: (app) => configureGateway(app, cfg),
  });
});
