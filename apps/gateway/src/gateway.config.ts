import { z } from 'zod';
import { env } from '@rv/config';

/** Every setting of apps/gateway (environment or .env). */
export const gatewayConfigSchema = z.object({
  ...env.common,
  PORT: env.port(3000),
  DATABASE_URL: env.databaseUrl(),
  DATABASE_SCHEMA: z.string().regex(/^[a-z_][a-z0-9_]*$/).default('public').describe('a lower-case PostgreSQL schema name'),
  REDIS_URL: env.redisUrl(),
  REGISTRY_URL: env.httpUrl('http://127.0.0.1:3001').default('http://127.0.0.1:3001'),
  PROVER_URL: env.httpUrl('http://127.0.0.1:3002').default('http://127.0.0.1:3002'),
  SOLANA_RPC_URL: env.httpUrl('http://127.0.0.1:8899').default('http://127.0.0.1:8899'),
});
export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;
