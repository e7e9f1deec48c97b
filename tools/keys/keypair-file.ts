import type { Keypair } from '@solana/web3.js';
import { parseKeypairJson, serializeKeypairJson } from '@rv/chain';
import { readSecretFile, writeSecretFile } from '@rv/config';

/**
 * Writes `kp` as a solana-keygen compatible JSON file with mode 0600 (directory created 0700),
 * atomically. Refuses to replace an existing file unless `force`.
 */
export function writeKeypairFile(path: string, kp: Keypair, opts: { force?: boolean } = {}): void {
  writeSecretFile(path, serializeKeypairJson(kp), opts);
}

/**
 * Loads a keypair file. Refuses files readable or writable by group/others (like ssh does) and
 * malformed files; error messages name the file and the problem, never its content.
 */
export function loadKeypairFile(path: string): Keypair {
  const bytes = readSecretFile(path, 'keypair file');
  try {
    const r = parseKeypairJson(bytes);
    if (!r.ok) throw new Error(`keypair file ${path}: ${r.error.message}`);
    return r.value;
  } finally {
    bytes.fill(0);
  }
}
