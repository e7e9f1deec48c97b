import {
  chmodSync,
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Keypair } from '@solana/web3.js';
import { parseKeypairJson, serializeKeypairJson } from '@rv/chain';

/**
 * Writes `kp` as a solana-keygen compatible JSON file with mode 0600 (directory created 0700).
 * Refuses to replace an existing file unless `force`. The write is atomic (temp file + rename), so a
 * reader never sees a partial key and a replaced file never keeps looser permissions.
 */
export function writeKeypairFile(path: string, kp: Keypair, opts: { force?: boolean } = {}): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (!opts.force && exists(path)) {
    throw new Error(`${path} already exists; pass --force to replace it`);
  }
  const tmp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, serializeKeypairJson(kp));
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
  closeSync(fd);
  chmodSync(tmp, 0o600); // independent of the umask
  renameSync(tmp, path);
}

/**
 * Loads a keypair file. Refuses files readable or writable by group/others (like ssh does) and
 * malformed files; error messages name the file and the problem, never its content.
 */
export function loadKeypairFile(path: string): Keypair {
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch {
    throw new Error(`keypair file ${path} does not exist or cannot be read`);
  }
  if ((mode & 0o077) !== 0) {
    throw new Error(
      `keypair file ${path} is accessible by group/others (mode ${(mode & 0o777).toString(8)}); run chmod 600 ${path}`,
    );
  }
  const bytes = readFileSync(path);
  try {
    const r = parseKeypairJson(bytes);
    if (!r.ok) throw new Error(`keypair file ${path}: ${r.error.message}`);
    return r.value;
  } finally {
    bytes.fill(0);
  }
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}
