import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPairSync } from 'node:crypto';
import { openJobSecret, sealJobSecret, jobPublicKeyOf } from '@rv/sealed';
import { createJobKeyFile, loadJobKeyFile } from './job-key-file';
import { parseArgs } from './create-job-key';

describe('prover job key file (PROVER_JOB_KEY_FILE)', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'rv-job-key-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates a 0600 PEM in a 0700 folder that loads back to the same key and opens what was sealed to it', () => {
    const out = join(dir, 'keys', 'prover-job-key.pem');
    const created = createJobKeyFile(out);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'keys')).mode & 0o777).toBe(0o700);
    expect(readFileSync(out, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    const loaded = loadJobKeyFile(out);
    expect(loaded.keyId).toBe(created.keyId);
    expect(
      openJobSecret(loaded, 'rv.prover.jobs.v1', 'j', sealJobSecret(jobPublicKeyOf(created), 'j', 42n)),
    ).toBe(42n);
    expect(() => createJobKeyFile(out)).toThrow(/already exists; pass --force/);
    expect(createJobKeyFile(out, { force: true }).keyId).not.toBe(created.keyId);
  });

  it('refuses a file readable by group/others, a missing file and a non-X25519 key, without echoing content', () => {
    const out = join(dir, 'k.pem');
    createJobKeyFile(out);
    const pemBody = readFileSync(out, 'utf8').split('\n')[1]!;
    chmodSync(out, 0o640);
    expect(() => loadJobKeyFile(out)).toThrow(/accessible by group\/others \(mode 640\); run chmod 600/);
    expect(() => loadJobKeyFile(join(dir, 'missing.pem'))).toThrow(/does not exist/);
    const ed = join(dir, 'ed.pem');
    writeFileSync(ed, generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }), {
      mode: 0o600,
    });
    expect(() => loadJobKeyFile(ed)).toThrow(/expected an X25519 key/);
    const junk = join(dir, 'junk.pem');
    writeFileSync(junk, pemBody, { mode: 0o600 });
    let message = '';
    try {
      loadJobKeyFile(junk);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/expected a PKCS#8 PEM private key/);
    expect(message).not.toContain(pemBody);
  });

  it('CLI arguments: keys/prover-job-key.pem by default, --out, --force', () => {
    expect(parseArgs([])).toEqual({ out: 'keys/prover-job-key.pem', force: false });
    expect(parseArgs(['--out', 'x.pem', '--force'])).toEqual({ out: 'x.pem', force: true });
    expect(() => parseArgs(['--out'])).toThrow(/--out needs a path/);
  });
});
