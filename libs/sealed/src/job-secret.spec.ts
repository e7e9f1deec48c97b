import {
  createDecipheriv,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  hkdfSync,
} from 'node:crypto';
import { inspect } from 'node:util';
import { FIELD_MODULUS } from '@rv/crypto';
import {
  SealedSecretError,
  generateJobKeyPem,
  jobPrivateKeyFromPem,
  jobPublicKeyOf,
  openJobSecret,
  sealJobSecret,
  type SealedSecret,
} from './index';

const SECRET = 0x5ec2e7_c0ffee_0ddba11_deadbeef_1234567_89abcdefn;
const TOPIC = 'rv.prover.jobs.v1';
const pem = generateJobKeyPem();
const prover = jobPrivateKeyFromPem(pem);
const pub = jobPublicKeyOf(prover);

const problem = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    if (e instanceof SealedSecretError) return e.problem;
    throw e;
  }
  return 'opened';
};

describe('sealed job secrets (X25519 + HKDF-SHA256 + AES-256-GCM, AAD = topic + job id)', () => {
  it('opens for the job and topic it was sealed for, for every field element size', () => {
    for (const s of [0n, 1n, SECRET, FIELD_MODULUS - 1n]) {
      expect(openJobSecret(prover, TOPIC, 'job-1', sealJobSecret(pub, 'job-1', s))).toBe(s);
    }
    expect(
      openJobSecret(
        prover,
        'rv.prover.jobs.v1.spec_1',
        'a:b.c-d_e',
        sealJobSecret(pub, 'a:b.c-d_e', SECRET, 'rv.prover.jobs.v1.spec_1'),
      ),
    ).toBe(SECRET);
  });

  it('follows the documented format step by step (re-derived here with bare node:crypto calls)', () => {
    const sealed = sealJobSecret(pub, 'job-7', SECRET);
    expect(Object.keys(sealed).sort()).toEqual(['ct', 'epk', 'kid', 'nonce', 'scheme']);
    expect(sealed).toMatchObject({ scheme: 'rv-job-secret-v1', kid: pub.keyId });
    const P = Buffer.from(pub.publicKey, 'base64');
    const epk = Buffer.from(sealed.epk, 'base64');
    const ct = Buffer.from(sealed.ct, 'base64');
    expect([P.length, epk.length, Buffer.from(sealed.nonce, 'base64').length, ct.length]).toEqual([
      32, 32, 12, 48,
    ]);
    const shared = diffieHellman({
      privateKey: createPrivateKey(pem),
      publicKey: createPublicKey({
        key: { kty: 'OKP', crv: 'X25519', x: epk.toString('base64url') },
        format: 'jwk',
      }),
    });
    const key = Buffer.from(
      hkdfSync('sha256', shared, Buffer.concat([epk, P]), 'rv.prover.job-secret.v1', 32),
    );
    const d = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.nonce, 'base64'));
    d.setAAD(Buffer.from('rv.prover.job-secret.v1\nrv.prover.jobs.v1\njob-7'));
    d.setAuthTag(ct.subarray(32));
    const plain = Buffer.concat([d.update(ct.subarray(0, 32)), d.final()]);
    expect(plain.toString('hex')).toBe(SECRET.toString(16).padStart(64, '0'));
  });

  it('uses a fresh ephemeral key and nonce for every seal', () => {
    const a = sealJobSecret(pub, 'job-1', SECRET);
    const b = sealJobSecret(pub, 'job-1', SECRET);
    expect(a.epk).not.toBe(b.epk);
    expect(a.nonce).not.toBe(b.nonce);
    expect(a.ct).not.toBe(b.ct);
  });

  it('does not open in another job, on another topic, or with another key of the same id', () => {
    const sealed = sealJobSecret(pub, 'job-A', SECRET);
    expect(problem(() => openJobSecret(prover, TOPIC, 'job-B', sealed))).toBe('does_not_open');
    expect(problem(() => openJobSecret(prover, 'rv.prover.jobs.v2', 'job-A', sealed))).toBe('does_not_open');
    const other = jobPrivateKeyFromPem(generateJobKeyPem());
    expect(problem(() => openJobSecret({ ...other, keyId: prover.keyId }, TOPIC, 'job-A', sealed))).toBe(
      'does_not_open',
    );
  });

  it('names an unknown key id', () => {
    const other = jobPublicKeyOf(jobPrivateKeyFromPem(generateJobKeyPem()));
    const sealed = sealJobSecret(other, 'job-1', SECRET);
    expect(problem(() => openJobSecret(prover, TOPIC, 'job-1', sealed))).toBe('unknown_key');
    expect(() => openJobSecret(prover, TOPIC, 'job-1', sealed)).toThrow(new RegExp(`key id ${other.keyId}`));
  });

  it('rejects any flipped bit of epk, nonce or ciphertext/tag', () => {
    const sealed = sealJobSecret(pub, 'job-1', SECRET);
    for (const field of ['epk', 'nonce', 'ct'] as const) {
      const bytes = Buffer.from(sealed[field], 'base64');
      for (const i of [0, bytes.length - 1]) {
        const t = Buffer.from(bytes);
        t[i] = t[i]! ^ 1;
        expect(
          problem(() => openJobSecret(prover, TOPIC, 'job-1', { ...sealed, [field]: t.toString('base64') })),
        ).toBe('does_not_open');
      }
    }
  });

  it.each<[string, unknown]>([
    ['a plain hex string', '0x' + SECRET.toString(16)],
    ['null', null],
    ['another scheme', { scheme: 'rv-job-secret-v0' }],
    ['a short ciphertext', { ct: Buffer.alloc(47).toString('base64') }],
    ['non-canonical base64', { nonce: Buffer.alloc(12).toString('base64').replace(/=*$/, '') + '=' }],
    ['a bad key id', { kid: 'XYZ' }],
  ])('calls %s malformed', (_name, over) => {
    const sealed = sealJobSecret(pub, 'job-1', SECRET);
    const value = typeof over === 'object' && over !== null ? { ...sealed, ...over } : over;
    expect(problem(() => openJobSecret(prover, TOPIC, 'job-1', value))).toBe('malformed');
  });

  it('refuses to seal a non-field secret, a bad job id or a key id that does not match the key', () => {
    expect(() => sealJobSecret(pub, 'job-1', FIELD_MODULUS)).toThrow(/secret/);
    expect(() => sealJobSecret(pub, 'job 1', SECRET)).toThrow(/jobId/);
    expect(() => sealJobSecret(pub, 'job-1', SECRET, 'bad topic')).toThrow(/topic/);
    expect(() => sealJobSecret({ ...pub, keyId: '0'.repeat(16) }, 'job-1', SECRET)).toThrow(/keyId/);
    expect(() => sealJobSecret({ ...pub, publicKey: 'AAAA' }, 'job-1', SECRET)).toThrow(/publicKey/);
  });

  it('never shows the secret or the private key in sealed output, errors or inspection', () => {
    const sealed: SealedSecret = sealJobSecret(pub, 'job-1', SECRET);
    const messages: string[] = [];
    for (const bad of [
      { ...sealed, kid: 'f'.repeat(16) },
      { ...sealed, ct: sealed.ct.replace(/^./, sealed.ct[0] === 'A' ? 'B' : 'A') },
      'x',
    ]) {
      try {
        openJobSecret(prover, TOPIC, 'job-2', bad);
      } catch (e) {
        messages.push(String(e));
      }
    }
    const rawPrivate = createPrivateKey(pem).export({ format: 'jwk' }).d!;
    const pemBody = pem.split('\n')[1]!;
    const seen = [JSON.stringify(sealed), ...messages, inspect(prover, { depth: 5 }), inspect(pub)]
      .join('\n')
      .toLowerCase();
    expect(messages).toHaveLength(3);
    for (const form of [
      SECRET.toString(16),
      rawPrivate,
      Buffer.from(rawPrivate, 'base64url').toString('hex'),
      pemBody,
    ]) {
      expect(seen).not.toContain(form.toLowerCase());
    }
  });

  it('reads PKCS#8 PEM X25519 keys only, without echoing a bad file', () => {
    const ed = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    expect(() => jobPrivateKeyFromPem(ed)).toThrow(/X25519/);
    expect(() => jobPrivateKeyFromPem('not a key 0123456789abcdef')).toThrow(
      /^expected a PKCS#8 PEM private key$/,
    );
    expect(jobPrivateKeyFromPem(pem).keyId).toBe(prover.keyId);
    expect(prover.keyId).toMatch(/^[0-9a-f]{16}$/);
  });
});
