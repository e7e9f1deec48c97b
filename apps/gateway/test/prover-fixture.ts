import { spawnApp, testEnv, type SpawnedApp } from '@rv/testing';
import { ensureTestCrs } from '../../../circuits/scripts/test-crs';

/** The real apps/prover as a process (test CRS, no Kafka jobs), reading paths from `registryUrl`. */
export async function startProver(
  registryUrl: string,
): Promise<{ app: SpawnedApp; url: string; stop: () => Promise<void> }> {
  const app = spawnApp('prover', {
    KAFKA_BROKERS: testEnv().KAFKA_BROKERS,
    PROVER_KAFKA_ENABLED: 'false',
    PORT: '0',
    LOG_LEVEL: 'info',
    CRS_PATH: ensureTestCrs(),
    ALLOW_TEST_CRS: 'true',
    PROVER_WORKERS: '1',
    REGISTRY_URL: registryUrl,
  });
  let url: string;
  try {
    url = (await app.listening(120_000)).replace('[::1]', '127.0.0.1');
  } catch (e) {
    app.proc.kill('SIGKILL');
    throw e;
  }
  return {
    app,
    url,
    stop: async () => {
      app.proc.kill('SIGTERM');
      await app.exited;
    },
  };
}
