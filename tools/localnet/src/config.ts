import { readFileSync } from 'fs';
import { z } from 'zod';
import type { LocalnetOptions } from './localnet';

/** Settings of `npm run localnet`, from RV_LOCALNET_* variables; bad values fail at start with the variable named. */
const Schema = z.object({
  RV_LOCALNET_HOST: z.string().default('127.0.0.1'),
  RV_LOCALNET_GRPC_PORT: z.coerce.number().int().min(0).max(65535).default(10000),
  RV_LOCALNET_RPC_PORT: z.coerce.number().int().min(0).max(65534).default(8899),
  RV_LOCALNET_SLOT_MS: z.coerce.number().int().min(0).default(400),
  RV_LOCALNET_CONFIRM_DEPTH: z.coerce.number().int().min(0).default(2),
  RV_LOCALNET_FINALIZE_DEPTH: z.coerce.number().int().min(1).default(32),
  RV_LOCALNET_REPLAY_WINDOW: z.coerce.number().int().min(0).default(2000),
  RV_LOCALNET_SEED: z.string().default('rv-localnet'),
  RV_LOCALNET_SIGVERIFY: z.enum(['true', 'false']).default('true'),
  RV_LOCALNET_GRPC_TLS_CERT_FILE: z.string().min(1).optional(),
  RV_LOCALNET_GRPC_TLS_KEY_FILE: z.string().min(1).optional(),
  RV_LOCALNET_X_TOKEN: z.string().min(1).optional(),
});

function readPem(variable: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    throw new Error(
      `invalid localnet configuration: ${variable}: cannot read ${file} (${(e as Error).message})`,
    );
  }
}

export function localnetConfig(env: Record<string, string | undefined>): LocalnetOptions {
  const r = Schema.safeParse(env);
  if (!r.success) {
    const msg = r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid localnet configuration: ${msg}`);
  }
  const c = r.data;
  if (c.RV_LOCALNET_FINALIZE_DEPTH < c.RV_LOCALNET_CONFIRM_DEPTH) {
    throw new Error(
      'invalid localnet configuration: RV_LOCALNET_FINALIZE_DEPTH must be >= RV_LOCALNET_CONFIRM_DEPTH',
    );
  }
  const certFile = c.RV_LOCALNET_GRPC_TLS_CERT_FILE;
  const keyFile = c.RV_LOCALNET_GRPC_TLS_KEY_FILE;
  if ((certFile === undefined) !== (keyFile === undefined)) {
    throw new Error(
      'invalid localnet configuration: RV_LOCALNET_GRPC_TLS_CERT_FILE and RV_LOCALNET_GRPC_TLS_KEY_FILE go together',
    );
  }
  return {
    host: c.RV_LOCALNET_HOST,
    ...(certFile && keyFile
      ? {
          grpcTls: {
            cert: readPem('RV_LOCALNET_GRPC_TLS_CERT_FILE', certFile),
            key: readPem('RV_LOCALNET_GRPC_TLS_KEY_FILE', keyFile),
          },
        }
      : {}),
    grpcPort: c.RV_LOCALNET_GRPC_PORT,
    rpcPort: c.RV_LOCALNET_RPC_PORT,
    allowAirdrop: true,
    chain: {
      slotMs: c.RV_LOCALNET_SLOT_MS,
      confirmDepth: c.RV_LOCALNET_CONFIRM_DEPTH,
      finalizeDepth: c.RV_LOCALNET_FINALIZE_DEPTH,
      seed: c.RV_LOCALNET_SEED,
      verifySignatures: c.RV_LOCALNET_SIGVERIFY === 'true',
    },
    geyser: {
      replayWindowSlots: c.RV_LOCALNET_REPLAY_WINDOW,
      ...(c.RV_LOCALNET_X_TOKEN !== undefined ? { xToken: c.RV_LOCALNET_X_TOKEN } : {}),
    },
  };
}
