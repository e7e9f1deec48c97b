import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Keypair } from '@solana/web3.js';
import { createKeypair, parseArgs } from './create-keypair';
import { loadKeypairFile, writeKeypairFile } from './keypair-file';

const ROOT = join(__dirname, '..', '..');

describe('tools/keys', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rv-keys-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates a 0600 solana-keygen file in a 0700 directory that loads back to the printed key', () => {
    const out = join(dir, 'keys', 'root-authority.json');
    const pub = createKeypair({ out, force: false });
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'keys')).mode & 0o777).toBe(0o700);
    const arr = JSON.parse(readFileSync(out, 'utf8')) as number[];
    expect(arr).toHaveLength(64);
    expect(loadKeypairFile(out).publicKey.toBase58()).toBe(pub);
  });

  it('refuses to overwrite without --force, replaces with it', () => {
    const out = join(dir, 'k.json');
    const first = createKeypair({ out, force: false });
    expect(() => createKeypair({ out, force: false })).toThrow(/already exists/);
    expect(loadKeypairFile(out).publicKey.toBase58()).toBe(first);
    chmodSync(out, 0o644);
    const second = createKeypair({ out, force: true });
    expect(second).not.toBe(first);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(loadKeypairFile(out).publicKey.toBase58()).toBe(second);
  });

  it('parses its arguments strictly', () => {
    expect(parseArgs(['--out', 'keys/a.json'])).toEqual({ out: 'keys/a.json', force: false });
    expect(parseArgs(['--force', '--out', 'a'])).toEqual({ out: 'a', force: true });
    expect(() => parseArgs([])).toThrow(/--out is required/);
    expect(() => parseArgs(['--out'])).toThrow(/needs a path/);
    expect(() => parseArgs(['--out', 'a', '--verbose'])).toThrow(/unknown argument/);
  });

  it('loader refuses group/other-readable files and malformed files without echoing content', () => {
    const kp = Keypair.generate();
    const loose = join(dir, 'loose.json');
    writeKeypairFile(loose, kp);
    chmodSync(loose, 0o644);
    expect(() => loadKeypairFile(loose)).toThrow(/chmod 600/);

    const bad = join(dir, 'bad.json');
    const secretText = JSON.stringify(Array.from(kp.secretKey).slice(0, 63));
    writeFileSync(bad, secretText, { mode: 0o600 });
    let message = '';
    try {
      loadKeypairFile(bad);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/must hold 64 numbers/);
    expect(message).not.toContain(secretText.slice(1, 12));

    expect(() => loadKeypairFile(join(dir, 'missing.json'))).toThrow(/does not exist/);
  });

  it('the CLI prints the public key and never the secret', () => {
    const out = join(dir, 'cli', 'verifier.json');
    const r = spawnSync(
      process.execPath,
      ['-r', '@swc-node/register', join(ROOT, 'tools/keys/create-keypair.ts'), '--out', out],
      { cwd: ROOT, encoding: 'utf8', env: { ...process.env, TS_NODE_PROJECT: join(ROOT, 'tsconfig.json') } },
    );
    expect(r.status).toBe(0);
    const printed = JSON.parse(r.stdout.trim()) as { out: string; publicKey: string };
    const kp = loadKeypairFile(out);
    expect(printed).toEqual({ out, publicKey: kp.publicKey.toBase58() });
    const secret = Array.from(kp.secretKey);
    const all = r.stdout + r.stderr;
    expect(all).not.toContain(secret.slice(0, 8).join(','));
    expect(all).not.toContain(Buffer.from(kp.secretKey).toString('base64').slice(0, 16));

    const again = spawnSync(
      process.execPath,
      ['-r', '@swc-node/register', join(ROOT, 'tools/keys/create-keypair.ts'), '--out', out],
      { cwd: ROOT, encoding: 'utf8', env: { ...process.env, TS_NODE_PROJECT: join(ROOT, 'tsconfig.json') } },
    );
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/already exists/);
  }, 60_000);
});
