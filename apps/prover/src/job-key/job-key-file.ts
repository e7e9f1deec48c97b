import { readSecretFile, writeSecretFile } from '@rv/config';
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
  let bytes: Buffer;
  try {
    bytes = readSecretFile(path, 'job key file');
  } catch (e) {
    throw new JobKeyFileError((e as Error).message);
  }
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
  try {
    writeSecretFile(path, generateJobKeyPem(), opts);
  } catch (e) {
    throw new JobKeyFileError((e as Error).message);
  }
  return loadJobKeyFile(path);
}
