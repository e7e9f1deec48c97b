import 'reflect-metadata';
import { ConfigService, loadDotEnv, parseConfig } from '@rv/config';
import { bootstrapApp, runMain, setupOpenApi } from '@rv/observability';
import { proverConfigSchema } from './prover.config';
import { ProverModule } from './prover.module';

runMain('prover', async () => {
  loadDotEnv();
  const cfg = parseConfig(proverConfigSchema);
  await bootstrapApp({
    app: 'prover',
    module: ProverModule.forRoot(new ConfigService(cfg)),
    host: cfg.HOST,
    port: cfg.PORT,
    shutdownTimeoutMs: cfg.SHUTDOWN_TIMEOUT_MS,
    configure: (app) => setupOpenApi(app, 'Rainbow Veil prover', 'Noir/UltraHonk ownership proofs'),
  });
});
