import { z } from 'zod';
import { ConfigError, env } from '@rv/config';

/** Every setting of apps/prover (environment or .env). */
export const proverConfigSchema = z.object({
  ...env.common,
  PORT: env.port(3002),
  KAFKA_BROKERS: env.kafkaBrokers(),
  REGISTRY_URL: env.httpUrl('http://127.0.0.1:3001').default('http://127.0.0.1:3001'),
  REGISTRY_TIMEOUT_MS: env.positiveInt(3000, 'milliseconds to wait for a registry path'),
  /**
   * Folder holding the CRS (bn254_g1.dat, bn254_g2.dat), pre-provisioned at deploy. Unset: bb.js's
   * default folder (~/.bb-crs), downloaded by bb.js on first start if missing.
   */
  CRS_PATH: z.string().min(1).optional().describe('a folder path holding bn254_g1.dat and bn254_g2.dat'),
  /** Accept a non-Ignition (test) CRS. Offline tests only; refused with NODE_ENV=production. */
  ALLOW_TEST_CRS: env.bool(false),
  PROVER_WORKERS: env.positiveInt(1, 'proving worker threads'),
  /**
   * bb.js wasm threads per proving worker; unset: the CPU cores divided among PROVER_WORKERS
   * (apps/prover/src/proving/bb-threads.ts). bb.js caps any value at the CPU count.
   */
  PROVER_BB_THREADS: z.coerce
    .number()
    .int()
    .positive()
    .optional()
    .describe(
      'a positive integer (bb.js wasm threads per proving worker; unset: CPU cores / PROVER_WORKERS)',
    ),
  PROVER_MAX_QUEUE: z.coerce
    .number()
    .int()
    .min(0)
    .default(4)
    .describe('a non-negative integer (requests waiting for a worker)'),
  PROVE_DEADLINE_MS: env.positiveInt(10000, 'milliseconds a synchronous proof request may take'),
  PROVER_KAFKA_ENABLED: env.bool(true),
  PROVER_JOBS_TOPIC: z.string().min(1).default('rv.prover.jobs.v1').describe('a Kafka topic name'),
  PROVER_RESULTS_TOPIC: z.string().min(1).default('rv.prover.results.v1').describe('a Kafka topic name'),
  PROVER_GROUP_ID: z.string().min(1).default('rv-prover').describe('a Kafka consumer group id'),
  PROVER_JOB_DEADLINE_MS: env.positiveInt(60000, 'milliseconds a Kafka proof job may take'),
  /**
   * The prover's X25519 job key (PKCS#8 PEM, mode 0600; create one with
   * `node -r @swc-node/register apps/prover/src/job-key/create-job-key.ts`). Jobs carry the secret
   * sealed to it (libs/sealed); GET /v1/job-key serves its public half. Required with PROVER_KAFKA_ENABLED.
   */
  PROVER_JOB_KEY_FILE: env.filePath().optional(),
});
export type ProverConfig = z.infer<typeof proverConfigSchema>;

/** Cross-setting rules zod's per-variable messages cannot express well. Throws ConfigError. */
export function checkProverConfig<
  C extends Pick<
    ProverConfig,
    'NODE_ENV' | 'ALLOW_TEST_CRS' | 'PROVER_KAFKA_ENABLED' | 'PROVER_JOB_KEY_FILE'
  >,
>(cfg: C): C {
  if (cfg.NODE_ENV === 'production' && cfg.ALLOW_TEST_CRS) {
    throw new ConfigError(
      'ALLOW_TEST_CRS',
      'false when NODE_ENV=production (a test CRS lets anyone forge proofs)',
    );
  }
  if (cfg.PROVER_KAFKA_ENABLED && cfg.PROVER_JOB_KEY_FILE === undefined) {
    throw new ConfigError(
      'PROVER_JOB_KEY_FILE',
      'a path to the X25519 job key file when PROVER_KAFKA_ENABLED=true (jobs carry the secret sealed to it; create one with apps/prover/src/job-key/create-job-key.ts)',
    );
  }
  return cfg;
}
