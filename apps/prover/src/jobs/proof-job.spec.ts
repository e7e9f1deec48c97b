import { generateJobKeyPem, jobPrivateKeyFromPem, jobPublicKeyOf, sealJobSecret } from '@rv/sealed';
import { decodeProofJob } from './proof-job';

const f = (n: bigint): string => '0x' + n.toString(16).padStart(64, '0');
const SECRET = 0xabcdef0123456789_5ec2e7n;
const TOPIC = 'rv.prover.jobs.v1';
const key = jobPrivateKeyFromPem(generateJobKeyPem());
const pub = jobPublicKeyOf(key);
const statement = { token: f(2n), trackId: f(7n), scope: f(4n), nullifier: f(5n), root: f(6n), leafIndex: 3 };
const msg = (v: unknown): Buffer => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v));

describe('proof job decoding (rv.prover.jobs.v1)', () => {
  it('opens the sealed secret of its own job and parses the public part', () => {
    const job = decodeProofJob(
      msg({ jobId: 'j1', sealedSecret: sealJobSecret(pub, 'j1', SECRET), ...statement }),
      TOPIC,
      key,
      20,
    );
    expect(job).toMatchObject({
      kind: 'prove',
      jobId: 'j1',
      request: { secret: SECRET, trackId: 7n, leafIndex: 3n },
    });
  });

  it('dead-letters a plaintext secret without keeping the payload, even next to a valid sealed one', () => {
    for (const secret of [f(SECRET), '', null, 12]) {
      const job = decodeProofJob(
        msg({ jobId: 'j1', secret, sealedSecret: sealJobSecret(pub, 'j1', SECRET), ...statement }),
        TOPIC,
        key,
        20,
      );
      expect(job).toMatchObject({
        kind: 'dead_letter',
        jobId: 'j1',
        code: 'plaintext_secret',
        keepPayload: false,
      });
      expect(job.kind === 'dead_letter' && job.reason).toMatch(/plaintext secret/);
    }
  });

  it('refuses a sealed secret moved into another job or onto another topic (payload kept: nothing plain in it)', () => {
    const sealedForJ1 = sealJobSecret(pub, 'j1', SECRET);
    expect(
      decodeProofJob(msg({ jobId: 'j2', sealedSecret: sealedForJ1, ...statement }), TOPIC, key, 20),
    ).toMatchObject({
      kind: 'dead_letter',
      jobId: 'j2',
      code: 'sealed_secret_does_not_open',
      keepPayload: true,
    });
    expect(
      decodeProofJob(
        msg({ jobId: 'j1', sealedSecret: sealedForJ1, ...statement }),
        'rv.prover.jobs.v1.other',
        key,
        20,
      ),
    ).toMatchObject({
      code: 'sealed_secret_does_not_open',
    });
  });

  it('names an unknown key id; drops a malformed or missing sealedSecret', () => {
    const other = jobPublicKeyOf(jobPrivateKeyFromPem(generateJobKeyPem()));
    const unknown = decodeProofJob(
      msg({ jobId: 'j1', sealedSecret: sealJobSecret(other, 'j1', SECRET), ...statement }),
      TOPIC,
      key,
      20,
    );
    expect(unknown).toMatchObject({ kind: 'dead_letter', code: 'unknown_key', keepPayload: true });
    expect(unknown.kind === 'dead_letter' && unknown.reason).toContain(other.keyId);
    for (const sealedSecret of [undefined, f(SECRET), { scheme: 'rv-job-secret-v1' }]) {
      expect(decodeProofJob(msg({ jobId: 'j1', sealedSecret, ...statement }), TOPIC, key, 20)).toMatchObject({
        kind: 'dead_letter',
        code: 'sealed_secret_malformed',
        keepPayload: false,
      });
    }
  });

  it('drops messages without a valid jobId (not JSON, an array, a bad id)', () => {
    for (const v of ['{oops', '[1]', { jobId: 'a b', secret: f(SECRET) }, { secret: f(SECRET) }]) {
      expect(decodeProofJob(msg(v), TOPIC, key, 20)).toMatchObject({
        kind: 'dead_letter',
        code: 'no_job_id',
        keepPayload: false,
      });
    }
    expect(decodeProofJob(null, TOPIC, key, 20)).toMatchObject({ code: 'no_job_id' });
  });

  it('answers a malformed public part as bad_request, naming the field only', () => {
    const job = decodeProofJob(
      msg({ jobId: 'j1', sealedSecret: sealJobSecret(pub, 'j1', SECRET), ...statement, scope: 'zz' }),
      TOPIC,
      key,
      20,
    );
    expect(job).toEqual({
      kind: 'bad_request',
      jobId: 'j1',
      message: 'scope: expected 0x followed by 1 to 64 hex digits',
    });
  });
});
