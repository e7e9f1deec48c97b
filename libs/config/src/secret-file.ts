import { randomBytes } from 'crypto';
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
} from 'fs';
import { basename, dirname, join } from 'path';

/** A key file that cannot be used. The message names the file and the problem, never its content. */
export class SecretFileError extends Error {
  override readonly name = 'SecretFileError';
}

/**
 * Reads a secret file (keypair, key, pepper). Refuses a file readable or writable by group/others,
 * as ssh does; `what` names it in errors ("keypair file", "job key file").
 */
export function readSecretFile(path: string, what: string): Buffer {
  let mode: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new Error('not a file');
    mode = st.mode;
  } catch {
    throw new SecretFileError(`${what} ${path} does not exist or is not a readable file`);
  }
  if ((mode & 0o077) !== 0) {
    throw new SecretFileError(
      `${what} ${path} is accessible by group/others (mode ${(mode & 0o777).toString(8)}); run chmod 600 ${path}`,
    );
  }
  return readFileSync(path);
}

/**
 * Writes a secret file with mode 0600 (its folder created 0700), atomically (temp file + rename), so
 * a reader never sees a partial key and a replaced file never keeps looser permissions. Refuses to
 * replace an existing file unless `force`.
 */
export function writeSecretFile(
  path: string,
  content: string | Uint8Array,
  opts: { force?: boolean } = {},
): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (!opts.force && exists(path))
    throw new SecretFileError(`${path} already exists; pass --force to replace it`);
  const tmp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, typeof content === 'string' ? Buffer.from(content, 'utf8') : content);
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

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}
