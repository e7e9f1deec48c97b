import * as fs from 'fs';
import type { Keypair } from '@solana/web3.js';
import { parseKeypairJson } from '@rv/chain';
import { ConfigError } from '@rv/config';

/** Loads the verifier keypair file; errors name the setting, never the file's bytes. */
export function loadVerifierKeypair(file: string): Keypair {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch {
    throw new ConfigError('VERIFIER_KEYPAIR_FILE', 'a path to a readable Solana keypair file');
  }
  const r = parseKeypairJson(bytes);
  bytes.fill(0);
  if (!r.ok) throw new ConfigError('VERIFIER_KEYPAIR_FILE', `a Solana keypair file (${r.error.message})`);
  return r.value;
}
