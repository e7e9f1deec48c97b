import { z } from 'zod';
import { ConfigError, env } from '@rv/config';
import { ROOTS_TOPIC } from '@rv/events';

const optionalBool = () =>
  z
    .enum(['true', 'false', '1', '0'])
    .optional()
    .transform((v) => (v === undefined ? undefined : v === 'true' || v === '1'))
    .describe('true or false');

/**
 * The root publisher's settings, spread into registryConfigSchema (so they are validated at boot with
 * the rest of the registry's environment and read through ConfigService).
 */
export const rootPublisherSettings = {
  /** Solana JSON-RPC endpoint update_root transactions go to (may carry a provider API key: never logged). */
  SOLANA_RPC_URL: env
    .httpUrl('http://127.0.0.1:8899')
    .default('http://127.0.0.1:8899')
    .describe('a http:// or https:// URL such as http://127.0.0.1:8899'),
  /** Keypair file (solana-keygen JSON, mode 0600) of the program's root_authority. Its content is never logged. */
  ROOT_AUTHORITY_KEYPAIR_FILE: z
    .string()
    .min(1)
    .optional()
    .describe('a path to the root authority keypair file'),
  /** Default: on exactly when ROOT_AUTHORITY_KEYPAIR_FILE is set. */
  ROOT_PUBLISHER_ENABLED: optionalBool(),
  /** Topic of new roots (the tree writer publishes it; same variable as the tree writer's). */
  ROOTS_TOPIC: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,200}$/)
    .default(ROOTS_TOPIC)
    .describe('a Kafka topic name (letters, digits, . _ -)'),
  ROOT_PUBLISHER_GROUP: z
    .string()
    .min(1)
    .default('rv-registry-root-publisher')
    .describe('the root publisher consumer group id'),
  /** Commitment the publisher reads the Track account at and waits for before committing an offset. */
  ROOT_PUBLISHER_COMMITMENT: z
    .enum(['confirmed', 'finalized'])
    .default('confirmed')
    .describe('confirmed or finalized'),
  ROOT_PUBLISHER_RPC_TIMEOUT_MS: env.positiveInt(5_000, 'milliseconds one Solana RPC call may take'),
  /**
   * How long one batch attempt waits for a sent update_root. Keep it well below the Kafka session
   * timeout (30 s): runConsumer gives the handler no heartbeat, so a longer wait costs a rebalance.
   * A transaction still pending is not re-sent: the retried batch keeps waiting for it.
   */
  ROOT_PUBLISHER_CONFIRM_TIMEOUT_MS: env.positiveInt(
    20_000,
    'milliseconds one batch attempt waits for an update_root transaction to reach the commitment',
  ),
  ROOT_PUBLISHER_POLL_MS: env.positiveInt(250, 'milliseconds between signature status polls'),
  ROOT_PUBLISHER_MAX_BACKOFF_MS: env.positiveInt(10_000, 'longest pause between retries of a failed batch'),
};

type Settings = z.infer<z.ZodObject<typeof rootPublisherSettings>>;

export interface RootPublisherOptions {
  enabled: boolean;
  rpcUrl: string;
  keypairFile: string | undefined;
  topic: string;
  groupId: string;
  commitment: 'confirmed' | 'finalized';
  rpcTimeoutMs: number;
  confirmTimeoutMs: number;
  pollMs: number;
  maxBackoffMs: number;
}

/** Resolves the defaults that depend on each other. Throws ConfigError naming the variable. */
export function rootPublisherOptions(cfg: Settings): RootPublisherOptions {
  const enabled = cfg.ROOT_PUBLISHER_ENABLED ?? cfg.ROOT_AUTHORITY_KEYPAIR_FILE !== undefined;
  if (enabled && cfg.ROOT_AUTHORITY_KEYPAIR_FILE === undefined) {
    throw new ConfigError(
      'ROOT_AUTHORITY_KEYPAIR_FILE',
      'a path to the root authority keypair file when ROOT_PUBLISHER_ENABLED=true (it is not set)',
    );
  }
  return {
    enabled,
    rpcUrl: cfg.SOLANA_RPC_URL,
    keypairFile: cfg.ROOT_AUTHORITY_KEYPAIR_FILE,
    topic: cfg.ROOTS_TOPIC,
    groupId: cfg.ROOT_PUBLISHER_GROUP,
    commitment: cfg.ROOT_PUBLISHER_COMMITMENT,
    rpcTimeoutMs: cfg.ROOT_PUBLISHER_RPC_TIMEOUT_MS,
    confirmTimeoutMs: cfg.ROOT_PUBLISHER_CONFIRM_TIMEOUT_MS,
    pollMs: cfg.ROOT_PUBLISHER_POLL_MS,
    maxBackoffMs: cfg.ROOT_PUBLISHER_MAX_BACKOFF_MS,
  };
}

/** The settings slice out of the app's validated config (`get` = ConfigService.get). */
export function rootPublisherOptionsFrom(get: (key: keyof Settings) => unknown): RootPublisherOptions {
  const keys = Object.keys(rootPublisherSettings) as (keyof Settings)[];
  return rootPublisherOptions(Object.fromEntries(keys.map((k) => [k, get(k)])) as Settings);
}
