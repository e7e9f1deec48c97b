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
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { generateJobKeyPem, jobPrivateKeyFromPem, type JobPrivateKey } from '@rv/sealed';

/** A job key file that cannot be used. The message names the file and the problem, never its content. */
export class JobKeyFileError extends Error {
  override readonly name = 'JobKeyFileError';
}

/**
 * Loads the prover's X25519 job key (PKCS#8 PEM, e.g. from `create-job-key.ts` or
 * `openssl genpkey -algorithm X25519`). Refuses a file readable or writable by group/others.
 */
export function loadJobKeyFile(path: string): JobPrivateKey {
  let mode: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new Error('not a file');
    mode = st.mode;
  } catch {
    throw new JobKeyFileError(`job key file ${path} does not exist or is not a readable file`);
  }
  if ((mode & 0o077) !== 0) {
    throw new JobKeyFileError(
      `job key file ${path} is accessible by group/others (mode ${(mode & 0o777).toString(8)}); run chmod 600 ${path}`,
    );
  }
  const bytes = readFileSync(path);
  try {
    return jobPrivateKeyFromPem(bytes);
  } catch (e) {
    throw new JobKeyFileError(`job key file ${path}: ${(e as Error).message}`);
  } finally {
    bytes.fill(0);
  }
}

/**
 * Writes a fresh job key to `path` with mode 0600 (directory created 0700), atomically (temp file
 * + rename). Refuses to replace an existing file unless `force`. Returns the loaded key.
 */
export function createJobKeyFile(path: string, opts: { force?: boolean } = {}): JobPrivateKey {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (!opts.force && exists(path))
    throw new JobKeyFileError(`${path} already exists; pass --force to replace it`);
  const tmp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, generateJobKeyPem());
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
  closeSync(fd);
  chmodSync(tmp, 0o600); // independent of the umask
  renameSync(tmp, path);
  return loadJobKeyFile(path);
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}
