import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { readSecretFile, SecretFileError, writeSecretFile } from './secret-file';

describe('secret files', () => {
  const dir = () => mkdtempSync(join(tmpdir(), 'rv-secret-'));

  it('writes mode 0600 in a 0700 folder, and reads it back', () => {
    const file = join(dir(), 'keys', 'k.json');
    writeSecretFile(file, 'top secret');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readSecretFile(file, 'key file').toString()).toBe('top secret');
  });

  it('refuses to replace a file unless forced', () => {
    const file = join(dir(), 'k');
    writeSecretFile(file, 'one');
    expect(() => writeSecretFile(file, 'two')).toThrow(/already exists; pass --force/);
    writeSecretFile(file, 'two', { force: true });
    expect(readFileSync(file, 'utf8')).toBe('two');
  });

  it('refuses a file others can read, naming it and never its content', () => {
    const file = join(dir(), 'k');
    writeFileSync(file, 'hunter2-secret');
    chmodSync(file, 0o644);
    expect(() => readSecretFile(file, 'keypair file')).toThrow(SecretFileError);
    try {
      readSecretFile(file, 'keypair file');
    } catch (e) {
      expect((e as Error).message).toBe(
        `keypair file ${file} is accessible by group/others (mode 644); run chmod 600 ${file}`,
      );
      expect((e as Error).message).not.toContain('hunter2');
    }
  });

  it('says when the file is missing', () => {
    expect(() => readSecretFile('/nonexistent/k', 'job key file')).toThrow(
      'job key file /nonexistent/k does not exist or is not a readable file',
    );
  });
});
