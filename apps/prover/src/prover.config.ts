import { z } from 'zod';
import { env } from '@rv/config';

/** Every setting of apps/prover (environment or .env). */
export const proverConfigSchema = z.object({
  ...env.common,
  PORT: env.port(3002),
  KAFKA_BROKERS: env.kafkaBrokers(),
  REGISTRY_URL: env.httpUrl('http://127.0.0.1:3001').default('http://127.0.0.1:3001'),
});
export type ProverConfig = z.infer<typeof proverConfigSchema>;
