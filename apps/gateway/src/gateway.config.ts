import * as fs from 'fs';
import { z } from 'zod';
import { ConfigError, env } from '@rv/config';

const PLAN_SCHEMA = z.record(
  z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/),
  z.object({ perMinute: z.number().int().positive(), perDay: z.number().int().positive() }),
);
export type Plans = z.infer<typeof PLAN_SCHEMA>;

const DEFAULT_PLANS: Plans = {
  free: { perMinute: 60, perDay: 10_000 },
  standard: { perMinute: 1_200, perDay: 1_000_000 },
  unlimited: { perMinute: 1_000_000, perDay: 1_000_000_000 },
};

const plans = () =>
  z
    .string()
    .default(JSON.stringify(DEFAULT_PLANS))
    .transform((v, ctx) => {
      try {
        return PLAN_SCHEMA.parse(JSON.parse(v));
      } catch {
        ctx.addIssue({ code: 'custom', message: 'bad plans' });
        return z.NEVER;
      }
    })
    .describe('a JSON object {"<plan>": {"perMinute": n, "perDay": n}, ...}');

const optionalFile = () => z.string().min(1).optional().describe('a path to a readable file');

/** Every setting of apps/gateway (environment or .env). */
export const gatewayConfigSchema = z.object({
  ...env.common,
  PORT: env.port(3000),
  DATABASE_URL: env.databaseUrl(),
  DATABASE_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]*$/)
    .default('public')
    .describe('a lower-case PostgreSQL schema name'),
  REDIS_URL: env.redisUrl(),
  /** Prefix of every Redis key the gateway writes (rate-limit counters, read cache). */
  REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:_-]{1,64}$/)
    .default('rv:gw:')
    .describe('a Redis key prefix such as rv:gw:'),
  REGISTRY_URL: env.httpUrl('http://127.0.0.1:3001').default('http://127.0.0.1:3001'),
  REGISTRY_TIMEOUT_MS: env.positiveInt(2000, 'milliseconds to wait for the registry'),
  PROVER_URL: env.httpUrl('http://127.0.0.1:3002').default('http://127.0.0.1:3002'),
  PROVER_TIMEOUT_MS: env.positiveInt(30000, 'milliseconds to wait for a synchronous proof'),
  SOLANA_RPC_URL: env.httpUrl('http://127.0.0.1:8899').default('http://127.0.0.1:8899'),
  CHAIN_TIMEOUT_MS: env.positiveInt(5000, 'milliseconds to wait for the Solana RPC'),

  /** Server-side pepper of API key hashes: a file holding it (preferred) or the value itself. */
  API_KEY_PEPPER_FILE: optionalFile(),
  API_KEY_PEPPER: z.string().min(32).optional().describe('a secret of at least 32 characters'),
  /** How long a looked-up key stays cached in one process (revocation takes at most this long). */
  API_KEY_CACHE_MS: z.coerce.number().int().min(0).default(2000).describe('milliseconds (0 = no cache)'),
  API_PLANS: plans(),

  RATE_LIMIT_IP_PER_MIN: env.positiveInt(100, 'requests per minute per client IP'),
  /** Use X-Forwarded-For for the client IP (only behind a trusted proxy). */
  TRUST_PROXY: env.bool(false),
  BODY_LIMIT_BYTES: env.positiveInt(65536, 'largest accepted request body in bytes'),
  REQUEST_TIMEOUT_MS: env.positiveInt(
    10000,
    'milliseconds a request may take (proofs use PROVER_TIMEOUT_MS)',
  ),
  /** Comma-separated allowed browser origins; empty = CORS off. */
  CORS_ORIGINS: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .describe('a comma-separated list of origins such as https://app.example'),

  READ_HEAD_TTL_MS: env.positiveInt(1000, 'milliseconds a track head (current seq) stays cached'),
  READ_CACHE_TTL_S: env.positiveInt(300, 'seconds a (track, seq) read stays cached'),
  /** In-process level of the read cache, in front of Redis (entries live no longer than in Redis). */
  READ_MEMORY_CACHE_MB: z.coerce
    .number()
    .int()
    .min(0)
    .default(64)
    .describe('megabytes of read answers kept in each gateway process (0 = Redis only)'),

  /** How proofs are verified: in this process with the circuit's key (local) or by the prover. */
  PROOF_VERIFIER: z.enum(['local', 'prover']).default('local').describe('local or prover'),
  CRS_PATH: z.string().min(1).optional().describe('a folder path holding bn254_g1.dat and bn254_g2.dat'),
  ALLOW_TEST_CRS: env.bool(false),
  /** Solana keypair file (JSON, 64 numbers) of the verifier that signs record_verification. */
  VERIFIER_KEYPAIR_FILE: optionalFile(),
  /** A root is usable while it is among this many newest accepted roots of its track (chain ring: 64). */
  RECENT_ROOTS: env.positiveInt(64, 'newest accepted roots per track a proof may use'),

  /** Analytics buckets with fewer than K verifications are suppressed. */
  ANALYTICS_K: env.positiveInt(5, 'smallest count an analytics bucket may show'),
});
export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;

/** Cross-setting rules. Throws ConfigError naming the variable. */
export function checkGatewayConfig(cfg: GatewayConfig): GatewayConfig {
  if (
    cfg.NODE_ENV === 'production' &&
    cfg.API_KEY_PEPPER_FILE === undefined &&
    cfg.API_KEY_PEPPER === undefined
  ) {
    throw new ConfigError(
      'API_KEY_PEPPER_FILE',
      'a path to a file holding the API key pepper (or API_KEY_PEPPER) (it is not set)',
    );
  }
  if (cfg.NODE_ENV === 'production' && cfg.ALLOW_TEST_CRS) {
    throw new ConfigError(
      'ALLOW_TEST_CRS',
      'false when NODE_ENV=production (a test CRS lets anyone forge proofs)',
    );
  }
  return cfg;
}

/**
 * Outside production only, when no pepper is configured: a fixed, public development pepper (keys
 * hashed with it are only as secret as the database). Production refuses to boot without one.
 */
export const DEVELOPMENT_PEPPER = 'rainbow-veil-development-pepper-not-for-production';

/** The pepper bytes: the file's content (trimmed) or API_KEY_PEPPER (or, outside production, the development pepper). Never logged. */
export function loadPepper(
  cfg: Pick<GatewayConfig, 'API_KEY_PEPPER_FILE' | 'API_KEY_PEPPER' | 'NODE_ENV'>,
): Buffer {
  if (cfg.API_KEY_PEPPER_FILE !== undefined) {
    let text: string;
    try {
      text = fs.readFileSync(cfg.API_KEY_PEPPER_FILE, 'utf8').trim();
    } catch {
      throw new ConfigError('API_KEY_PEPPER_FILE', 'a path to a readable file holding the API key pepper');
    }
    if (text.length < 32)
      throw new ConfigError('API_KEY_PEPPER_FILE', 'a file holding at least 32 characters');
    return Buffer.from(text, 'utf8');
  }
  if (cfg.API_KEY_PEPPER !== undefined) return Buffer.from(cfg.API_KEY_PEPPER, 'utf8');
  if (cfg.NODE_ENV !== 'production') return Buffer.from(DEVELOPMENT_PEPPER, 'utf8');
  throw new ConfigError(
    'API_KEY_PEPPER_FILE',
    'a path to a file holding the API key pepper (or API_KEY_PEPPER) (it is not set)',
  );
}
