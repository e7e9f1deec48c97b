// apps/prover as its own process (real worker_threads pool, bb.js, Kafka), offline with the
// test CRS, against a stand-in registry that answers like apps/registry's path endpoint.
import { createServer, type Server } from 'http';
import type { AddressInfo } from 'net';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'fs';
import { createPrivateKey } from 'crypto';
import { tmpdir } from 'os';
import { join } from 'path';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { proofJobSchema, proofResultSchema } from '@rv/events';
import { commitment, leafHash, nullifier } from '@rv/crypto';
import { DLQ_HEADERS } from '@rv/kafka';
import {
  generateJobKeyPem,
  jobPrivateKeyFromPem,
  jobPublicKeyOf,
  sealJobSecret,
  type JobPublicKey,
} from '@rv/sealed';
import { spawnApp, testEnv, uniqueName, waitFor, type SpawnedApp } from '@rv/testing';
import { exampleOwnershipWitness, merklePath, type OwnershipWitnessInputs } from '@rv/zk';
import { ensureTestCrs } from '../../../circuits/scripts/test-crs';
import { createJobKeyFile } from '../src/job-key/job-key-file';

const hex = (x: bigint): string => '0x' + x.toString(16).padStart(64, '0');
const SECRET = 0x5ec2e7_c0ffee_0ddba11_deadbeef_1234567_89abcdefn;
const TRACK = 9n;
const INDEX = 3;

function body(w: OwnershipWitnessInputs, withPath = true): Record<string, unknown> {
  return {
    secret: hex(w.secret),
    token: hex(w.token),
    trackId: hex(w.trackId),
    scope: hex(w.scope),
    nullifier: hex(w.nullifier),
    root: hex(w.root),
    leafIndex: Number(w.leafIndex),
    ...(withPath ? { siblings: w.siblings.map(hex) } : {}),
  };
}

/** A Kafka job: the proof request without `secret`, the secret sealed to the prover's job key for (topic, jobId). */
function job(
  key: JobPublicKey,
  topic: string,
  jobId: string,
  w: OwnershipWitnessInputs,
  withPath = true,
): Record<string, unknown> {
  const { secret: _plain, ...statement } = body(w, withPath);
  return { jobId, sealedSecret: sealJobSecret(key, jobId, w.secret, topic), ...statement };
}

interface DlqRecord {
  key: string;
  value: Buffer | null;
  headers: Record<string, string>;
}

/** The registry's answer shape: { trackId, root, seq, slot, path: { index, leaf, siblings } }. */
function startRegistryStub(w: OwnershipWitnessInputs, leaves: bigint[]): Promise<Server> {
  const server = createServer((req, res) => {
    const m = /^\/v1\/trees\/(\d+)\/paths\/(\d+)/.exec(req.url ?? '');
    if (!m || BigInt(m[1]!) !== w.trackId || Number(m[2]) >= leaves.length) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"unknown"}');
      return;
    }
    const index = Number(m[2]);
    const p = merklePath(leaves, index, 20);
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        trackId: String(w.trackId),
        root: hex(p.root),
        seq: 1,
        slot: 10,
        path: { index, leaf: hex(leaves[index]!), siblings: p.siblings.map(hex) },
      }),
    );
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('apps/prover (HTTP + Kafka, worker pool, test CRS)', () => {
  const crsPath = ensureTestCrs();
  const w = exampleOwnershipWitness({
    secret: SECRET,
    token: 0x70c3n,
    trackId: TRACK,
    scope: 77n,
    depth: 20,
    index: INDEX,
    leafCount: 6,
  });
  const leaves = Array.from({ length: 6 }, (_, i) =>
    leafHash(commitment(i === INDEX ? SECRET : 1000n + BigInt(i)), w.token, TRACK),
  );
  const jobsTopic = uniqueName('rv.prover.jobs.v1.spec');
  const resultsTopic = uniqueName('rv.prover.results.v1.spec');
  let registry: Server;
  let app: SpawnedApp;
  let url: string;
  let kafka: Kafka;
  let results: Consumer;
  let dlq: Consumer;
  const received: Array<Record<string, unknown>> = [];
  const receivedRaw: string[] = [];
  const deadLetters: DlqRecord[] = [];
  const keyDir = mkdtempSync(join(tmpdir(), 'rv-prover-spec-'));
  const keyFile = join(keyDir, 'keys', 'prover-job-key.pem');
  const jobKey = jobPublicKeyOf(createJobKeyFile(keyFile));
  const resultOf = (jobId: string) =>
    waitFor(() => received.find((r) => r.jobId === jobId), { timeoutMs: 60_000, what: `result of ${jobId}` });
  const deadLetterOf = (key: string) =>
    waitFor(() => deadLetters.find((d) => d.key === key), { timeoutMs: 30_000, what: `dead letter ${key}` });
  const produce = async (messages: Array<{ key: string; value: string }>) => {
    const producer = kafka.producer();
    await producer.connect();
    try {
      await producer.send({ topic: jobsTopic, messages });
    } finally {
      await producer.disconnect();
    }
  };
  const post = (path: string, payload: unknown) =>
    fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload),
    });

  beforeAll(async () => {
    registry = await startRegistryStub(w, leaves);
    const brokers = testEnv().KAFKA_BROKERS;
    app = spawnApp('prover', {
      KAFKA_BROKERS: brokers,
      PORT: '0',
      LOG_LEVEL: 'trace',
      CRS_PATH: crsPath,
      ALLOW_TEST_CRS: 'true',
      PROVER_WORKERS: '1',
      PROVER_MAX_QUEUE: '1',
      REGISTRY_URL: `http://127.0.0.1:${(registry.address() as AddressInfo).port}`,
      PROVER_JOBS_TOPIC: jobsTopic,
      PROVER_RESULTS_TOPIC: resultsTopic,
      PROVER_GROUP_ID: uniqueName('rv-prover-spec'),
      PROVER_JOB_KEY_FILE: keyFile,
    });
    url = await app.listening(90_000);
    kafka = new Kafka({ clientId: 'prover-spec', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await waitFor(async () => (await admin.listTopics()).includes(resultsTopic), {
      timeoutMs: 30_000,
      what: 'results topic',
    });
    await admin.disconnect();
    results = kafka.consumer({ groupId: uniqueName('prover-spec-results') });
    await results.connect();
    await results.subscribe({ topic: resultsTopic, fromBeginning: true });
    await results.run({
      eachMessage: async ({ message }) => {
        receivedRaw.push(message.value!.toString());
        received.push(JSON.parse(message.value!.toString()) as Record<string, unknown>);
      },
    });
    dlq = kafka.consumer({ groupId: uniqueName('prover-spec-dlq') });
    await dlq.connect();
    await dlq.subscribe({ topic: `${jobsTopic}.dlq`, fromBeginning: true });
    await dlq.run({
      eachMessage: async ({ message }) =>
        void deadLetters.push({
          key: message.key?.toString() ?? '',
          value: message.value,
          headers: Object.fromEntries(
            Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v ?? '')]),
          ),
        }),
    });
  }, 150_000);

  afterAll(async () => {
    await results?.disconnect();
    await dlq?.disconnect();
    app?.proc.kill('SIGTERM');
    await app?.exited;
    registry?.close();
    rmSync(keyDir, { recursive: true, force: true });
  }, 60_000);

  it('GET /v1/verification-key exports the keccakZK verification key', async () => {
    const res = await fetch(`${url}/v1/verification-key`);
    expect(res.status).toBe(200);
    const vk = (await res.json()) as Record<string, unknown>;
    expect(vk).toMatchObject({
      circuit: 'ownership',
      scheme: 'ultra_honk_keccak_zk',
      depth: 20,
      crs: 'test',
    });
    expect(vk.publicInputs).toEqual(['root', 'track_id', 'scope', 'nullifier']);
    expect(String(vk.verificationKey)).toMatch(/^0x[0-9a-f]{200,}$/);
  });

  it('POST /v1/proofs proves with a given path; POST /v1/verify accepts it and rejects tampered inputs', async () => {
    const res = await post('/v1/proofs', body(w));
    expect(res.status).toBe(200);
    const proof = (await res.json()) as {
      proof: string;
      publicInputs: Record<string, string>;
      timings: Record<string, number>;
    };
    expect(proof.publicInputs).toEqual({
      root: hex(w.root),
      trackId: hex(TRACK),
      scope: hex(77n),
      nullifier: hex(w.nullifier),
    });
    expect(proof.timings.proveMs).toBeGreaterThan(0);
    expect((await post('/v1/verify', { proof: proof.proof, publicInputs: proof.publicInputs })).status).toBe(
      200,
    );
    const tampered = await post('/v1/verify', {
      proof: proof.proof,
      publicInputs: { ...proof.publicInputs, scope: hex(78n) },
    });
    expect(tampered.status).toBe(422);
    expect(await tampered.json()).toMatchObject({ valid: false });
    const flipped =
      proof.proof.slice(0, 100) + (proof.proof[100] === '0' ? '1' : '0') + proof.proof.slice(101);
    expect((await post('/v1/verify', { proof: flipped, publicInputs: proof.publicInputs })).status).toBe(422);
  }, 60_000);

  it('POST /v1/proofs with (track, leaf index, root) fetches the path from the registry', async () => {
    const res = await post('/v1/proofs', body(w, false));
    expect(res.status).toBe(200);
    const proof = (await res.json()) as { proof: string; publicInputs: Record<string, string> };
    expect((await post('/v1/verify', proof)).status).toBe(200);
    // A root the registry does not serve: 409; an unknown leaf: 404.
    expect((await post('/v1/proofs', { ...body(w, false), root: hex(w.root + 1n) })).status).toBe(409);
    expect((await post('/v1/proofs', { ...body(w, false), leafIndex: 40 })).status).toBe(404);
  }, 60_000);

  it.each([
    ['secret not hex', { secret: 'abc' }, /secret/],
    [
      'scope >= r',
      { scope: '0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001' },
      /scope: not a BN254 field element/,
    ],
    [
      'path too short',
      { siblings: new Array(19).fill(hex(0n)) },
      /siblings: expected an array of exactly 20/,
    ],
    ['leaf index outside the tree', { leafIndex: 2 ** 20 }, /leafIndex/],
    ['sibling not hex', { siblings: [...new Array(19).fill(hex(0n)), '0xzz'] }, /siblings\[19\]/],
  ])('400 for malformed input: %s', async (_name, over, message) => {
    const res = await post('/v1/proofs', { ...body(w), ...over });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toMatch(message);
  });

  it('400 for a body that is not JSON (the answer does not echo the secret)', async () => {
    const res = await fetch(`${url}/v1/proofs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: `{"secret":"${hex(SECRET)}", oops}`,
    });
    expect(res.status).toBe(400);
    expect((await res.text()).toLowerCase()).not.toContain(SECRET.toString(16));
  });

  it('504 when the deadline passes before the proof is ready', async () => {
    const res = await post('/v1/proofs', { ...body(w), deadlineMs: 1 });
    expect(res.status).toBe(504);
    expect(await res.json()).toMatchObject({ error: 'deadline_exceeded' });
  });

  it('422 names the failed constraint', async () => {
    const wrongSibling = w.siblings.slice();
    wrongSibling[2] = wrongSibling[2]! + 1n;
    const revoked = merklePath(
      leaves.map((l, i) => (i === INDEX ? 0n : l)),
      INDEX,
      20,
    );
    const cases: Array<[Partial<OwnershipWitnessInputs>, string]> = [
      [{ siblings: wrongSibling }, 'membership'],
      [{ secret: SECRET + 1n, nullifier: nullifier(SECRET + 1n, TRACK, 77n) }, 'membership'],
      [{ nullifier: w.nullifier + 1n }, 'nullifier'],
      [{ scope: 78n }, 'nullifier'],
      [{ root: revoked.root, siblings: revoked.siblings }, 'membership'],
    ];
    for (const [over, reason] of cases) {
      const res = await post('/v1/proofs', body({ ...w, ...over }));
      expect(res.status).toBe(422);
      expect(await res.json()).toMatchObject({ error: 'constraint_failed', reason });
    }
  });

  it('answers 503 with Retry-After when the queue is full (1 worker, queue of 1)', async () => {
    const responses = await Promise.all(Array.from({ length: 5 }, () => post('/v1/proofs', body(w))));
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(2);
    const refused = responses.filter((r) => r.status === 503);
    expect(refused.length).toBeGreaterThanOrEqual(1);
    for (const r of refused) expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  }, 60_000);

  it('GET /v1/job-key serves the public half of PROVER_JOB_KEY_FILE for producers to seal to', async () => {
    const res = await fetch(`${url}/v1/job-key`);
    expect(res.status).toBe(200);
    const served = (await res.json()) as Record<string, unknown>;
    expect(served).toEqual({
      scheme: 'rv-job-secret-v1',
      keyId: jobKey.keyId,
      publicKey: jobKey.publicKey,
      topic: jobsTopic,
    });
    expect(jobPublicKeyOf(jobPrivateKeyFromPem(readFileSync(keyFile))).publicKey).toBe(served.publicKey);
  });

  it('Kafka: proves sealed-secret jobs from rv.prover.jobs.v1 onto rv.prover.results.v1, failures with their reason', async () => {
    const key = (await (await fetch(`${url}/v1/job-key`)).json()) as JobPublicKey;
    await produce([
      { key: 'job-ok', value: JSON.stringify(job(key, jobsTopic, 'job-ok', w)) },
      {
        key: 'job-bad',
        value: JSON.stringify(job(key, jobsTopic, 'job-bad', { ...w, nullifier: w.nullifier + 1n })),
      },
      { key: 'job-reg', value: JSON.stringify(job(key, jobsTopic, 'job-reg', w, false)) },
    ]);
    const byId = await waitFor(
      () => {
        const m = new Map(received.map((r) => [r.jobId, r]));
        return ['job-ok', 'job-bad', 'job-reg'].every((id) => m.has(id)) && m;
      },
      { timeoutMs: 60_000, what: 'job results' },
    );
    expect(byId.get('job-ok')).toMatchObject({
      status: 'proved',
      publicInputs: { nullifier: hex(w.nullifier) },
    });
    // What the prover writes is what the topic's documented schema (libs/events, docs/asyncapi.json) says.
    for (const id of ['job-ok', 'job-bad', 'job-reg'])
      expect(proofResultSchema.safeParse(byId.get(id)).error).toBeUndefined();
    // ... and the jobs this spec sends are the documented job format.
    expect(proofJobSchema.safeParse(job(key, jobsTopic, 'job-ok', w)).error).toBeUndefined();
    expect(byId.get('job-reg')).toMatchObject({ status: 'proved' });
    expect(byId.get('job-bad')).toMatchObject({ status: 'failed', reason: 'nullifier' });
    const ok = byId.get('job-ok') as { proof: string; publicInputs: Record<string, string> };
    expect((await post('/v1/verify', { proof: ok.proof, publicInputs: ok.publicInputs })).status).toBe(200);
  }, 90_000);

  it('Kafka: a job without a jobId goes to the dead-letter topic without its payload (no secret kept)', async () => {
    await produce([{ key: 'no-id', value: JSON.stringify(body(w)) }]);
    const got = await deadLetterOf('no-id');
    expect(got.headers[DLQ_HEADERS.reason]).toMatch(/jobId/);
    expect(got.value === null || got.value.length === 0).toBe(true);
  }, 60_000);

  it('Kafka: a job with a plaintext secret is refused to the dead-letter topic, the secret not copied there', async () => {
    const { sealedSecret, ...rest } = job(jobKey, jobsTopic, 'job-plain', w);
    await produce([
      { key: 'job-plain', value: JSON.stringify({ ...rest, secret: hex(SECRET) }) },
      // a plaintext secret next to a valid sealed one is refused too
      {
        key: 'job-plain-2',
        value: JSON.stringify({ ...rest, jobId: 'job-plain-2', secret: hex(SECRET), sealedSecret }),
      },
    ]);
    for (const id of ['job-plain', 'job-plain-2']) {
      const got = await deadLetterOf(id);
      expect(got.headers[DLQ_HEADERS.reason]).toMatch(/plaintext secret/);
      expect(got.headers[DLQ_HEADERS.code]).toBe('plaintext_secret');
      expect(got.value === null || got.value.length === 0).toBe(true);
      expect(JSON.stringify(got.headers).toLowerCase()).not.toContain(SECRET.toString(16));
      expect(await resultOf(id)).toMatchObject({ status: 'failed', reason: 'plaintext_secret' });
    }
  }, 60_000);

  it('Kafka: a sealed secret replayed into another job (wrong AAD) or sealed to an unknown key is rejected', async () => {
    const original = job(jobKey, jobsTopic, 'job-A', w);
    const otherKey = jobPublicKeyOf(jobPrivateKeyFromPem(generateJobKeyPem()));
    await produce([
      { key: 'job-B', value: JSON.stringify({ ...original, jobId: 'job-B' }) },
      { key: 'job-other-topic', value: JSON.stringify(job(jobKey, `${jobsTopic}x`, 'job-other-topic', w)) },
      { key: 'job-unknown-key', value: JSON.stringify(job(otherKey, jobsTopic, 'job-unknown-key', w)) },
    ]);
    for (const id of ['job-B', 'job-other-topic']) {
      const got = await deadLetterOf(id);
      expect(got.headers[DLQ_HEADERS.code]).toBe('sealed_secret_does_not_open');
      expect(got.headers[DLQ_HEADERS.reason]).toMatch(/does not open for this job id, topic and key/);
      expect(got.value?.toString().toLowerCase()).not.toContain(SECRET.toString(16)); // payload kept: only sealed
      expect(await resultOf(id)).toMatchObject({ status: 'failed', reason: 'sealed_secret_does_not_open' });
    }
    const unknown = await deadLetterOf('job-unknown-key');
    expect(unknown.headers[DLQ_HEADERS.code]).toBe('unknown_key');
    expect(unknown.headers[DLQ_HEADERS.reason]).toContain(
      `key id ${otherKey.keyId} is not this prover's job key`,
    );
    expect(await resultOf('job-unknown-key')).toMatchObject({ status: 'failed', reason: 'unknown_key' });
    expect(received.some((r) => r.jobId === 'job-B' && r.status === 'proved')).toBe(false);
  }, 60_000);

  it('Kafka: no result record carries the secret', () => {
    expect(receivedRaw.length).toBeGreaterThanOrEqual(8);
    const all = receivedRaw.join('\n').toLowerCase();
    for (const form of [SECRET.toString(16), SECRET.toString(10)]) expect(all).not.toContain(form);
  });

  it('exports the dead-letter count by code', async () => {
    const text = await (await fetch(`${url}/metrics`)).text();
    const count = (code: string) =>
      Number(
        new RegExp(`rv_prover_job_dead_letters_total\\{[^}]*code="${code}"[^}]*\\} (\\d+)`).exec(text)?.[1],
      );
    expect(count('plaintext_secret')).toBeGreaterThanOrEqual(2); // at-least-once: a retried batch may count twice
    expect(count('sealed_secret_does_not_open')).toBeGreaterThanOrEqual(2);
    expect(count('unknown_key')).toBeGreaterThanOrEqual(1);
  });

  it('exports metrics: proof duration histogram, queue depth, worker utilisation, failures by reason', async () => {
    const text = await (await fetch(`${url}/metrics`)).text();
    const count = /rv_prover_proof_duration_seconds_count\{[^}]*source="http"[^}]*\} (\d+)/.exec(text);
    expect(Number(count?.[1])).toBeGreaterThanOrEqual(3);
    expect(text).toMatch(/rv_prover_failures_total\{[^}]*reason="nullifier"[^}]*\} [1-9]/);
    expect(text).toMatch(/rv_prover_failures_total\{[^}]*reason="queue_full"[^}]*\} [1-9]/);
    expect(text).toMatch(/rv_prover_queue_depth\{[^}]*\} 0/);
    expect(text).toMatch(/rv_prover_workers\{[^}]*\} 1/);
    expect(text).toMatch(/rv_prover_workers_busy/);
  });

  it('never logs the secret or the job private key (trace-level logs captured over every request and job above)', () => {
    const logs = app.stdout() + app.stderr();
    expect(logs).toMatch(/POST|\/v1\/proofs/); // the capture works: requests were logged
    expect(logs).toMatch(/dead-lettered job job-plain /); // ... and so were the jobs
    const d = createPrivateKey(readFileSync(keyFile)).export({ format: 'jwk' }).d!;
    const pemBody = readFileSync(keyFile, 'utf8').split('\n')[1]!;
    for (const form of [
      SECRET.toString(16),
      hex(SECRET).slice(2),
      SECRET.toString(10),
      Buffer.from(SECRET.toString(16), 'hex').toString('base64'),
      d,
      Buffer.from(d, 'base64url').toString('hex'),
      Buffer.from(d, 'base64url').toString('base64'),
      pemBody,
    ]) {
      expect(logs.toLowerCase()).not.toContain(form.toLowerCase());
    }
  });
});

describe('apps/prover refuses to start with an unsafe CRS setting', () => {
  const crsPath = ensureTestCrs();
  const base = {
    KAFKA_BROKERS: testEnv().KAFKA_BROKERS,
    PORT: '0',
    CRS_PATH: crsPath,
    PROVER_KAFKA_ENABLED: 'false',
  };

  it('a test CRS without ALLOW_TEST_CRS', async () => {
    const app = spawnApp('prover', base);
    expect(await app.exited).not.toBe(0);
    expect(app.stdout() + app.stderr()).toMatch(/not Aztec's Ignition CRS/);
  }, 90_000);

  it('Kafka jobs on without PROVER_JOB_KEY_FILE', async () => {
    const app = spawnApp('prover', { ...base, ALLOW_TEST_CRS: 'true', PROVER_KAFKA_ENABLED: 'true' });
    expect(await app.exited).not.toBe(0);
    expect(app.stdout() + app.stderr()).toMatch(
      /PROVER_JOB_KEY_FILE: expected a path to the X25519 job key file/,
    );
  }, 90_000);

  it('a job key file readable by others', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rv-prover-spec-'));
    try {
      const file = join(dir, 'k.pem');
      createJobKeyFile(file);
      chmodSync(file, 0o644);
      const app = spawnApp('prover', { ...base, ALLOW_TEST_CRS: 'true', PROVER_JOB_KEY_FILE: file });
      expect(await app.exited).not.toBe(0);
      expect(app.stdout() + app.stderr()).toMatch(
        /job key file .*k\.pem is accessible by group\/others \(mode 644\)/,
      );
      expect(app.stdout() + app.stderr()).not.toContain(readFileSync(file, 'utf8').split('\n')[1]!);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);

  it('ALLOW_TEST_CRS with NODE_ENV=production', async () => {
    const app = spawnApp('prover', { ...base, NODE_ENV: 'production', ALLOW_TEST_CRS: 'true' });
    expect(await app.exited).not.toBe(0);
    expect(app.stdout() + app.stderr()).toMatch(/ALLOW_TEST_CRS/);
  }, 90_000);
});
