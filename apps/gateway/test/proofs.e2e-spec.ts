import { commitment, leafHash, nullifier } from '@rv/crypto';
import { createTestSchema, spawnApp, waitFor, type SpawnedApp } from '@rv/testing';
import { createKey, gatewayEnv } from './gateway-harness';
import { startProver } from './prover-fixture';
import { RegistryFixture } from './registry-fixture';

const hex = (x: bigint): string => '0x' + x.toString(16).padStart(64, '0');
const SECRET = 0x5ec7e7_a11ce_0ddba11_feedface_7654321_fedcban;
const TOKEN = 0x70c3n;
const TRACK = 9n;
const SCOPE = 2026n;

describe('gateway proofs through the real prover and registry (secret never logged)', () => {
  let db: Awaited<ReturnType<typeof createTestSchema>>;
  let registry: RegistryFixture;
  let prover: Awaited<ReturnType<typeof startProver>>;
  let gateway: SpawnedApp;
  let url: string;
  let root: string;
  let env: Record<string, string>;
  let key: string;

  beforeAll(async () => {
    db = await createTestSchema('gw_proofs');
    registry = await RegistryFixture.start(db.schema, 20);
    const leaves = [
      leafHash(commitment(1001n), TOKEN, TRACK),
      leafHash(commitment(SECRET), TOKEN, TRACK),
      leafHash(commitment(1003n), TOKEN, TRACK),
    ];
    await registry.append(TRACK, 1, leaves, 20);
    await registry.accept(TRACK, 1);
    prover = await startProver(registry.url);
    env = gatewayEnv(db.schema, { REGISTRY_URL: registry.url, PROVER_URL: prover.url });
    gateway = spawnApp('gateway', { ...env, PORT: '0', LOG_LEVEL: 'trace' });
    url = (await gateway.listening(60_000)).replace('[::1]', '127.0.0.1');
    key = (await createKey(env, 'read,prove')).key;
    const r = await fetch(`${url}/v1/tracks/${TRACK}/root`, { headers: { authorization: `Bearer ${key}` } });
    root = ((await r.json()) as { root: string }).root;
  }, 240_000);

  afterAll(async () => {
    if (gateway) {
      gateway.proc.kill('SIGTERM');
      await gateway.exited;
    }
    await prover?.stop();
    await registry?.stop();
    await db?.drop();
  });

  const prove = (body: unknown, k = key) =>
    fetch(`${url}/v1/proofs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${k}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  const request = () => ({
    secret: hex(SECRET),
    token: hex(TOKEN),
    trackId: hex(TRACK),
    scope: hex(SCOPE),
    nullifier: hex(nullifier(SECRET, TRACK, SCOPE)),
    root,
    leafIndex: 1,
  });

  it('proves against the accepted root with the path fetched by the prover, and the proof verifies', async () => {
    const r = await prove(request());
    expect(r.status).toBe(200);
    const body = (await r.json()) as { proof: string; publicInputs: Record<string, string> };
    expect(body.publicInputs).toEqual({
      root,
      trackId: hex(TRACK),
      scope: hex(SCOPE),
      nullifier: hex(nullifier(SECRET, TRACK, SCOPE)),
    });
    const v = await fetch(`${prover.url}/v1/verify`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ proof: body.proof, publicInputs: body.publicInputs }),
    });
    expect(v.status).toBe(200);
  });

  it('answers 422 for a wrong nullifier, 400 for malformed hex or a field element >= r, 403 without the prove scope', async () => {
    const wrong = await prove({ ...request(), nullifier: hex(nullifier(SECRET, TRACK, SCOPE + 1n)) });
    expect(wrong.status).toBe(422);
    expect(((await wrong.json()) as { error: { code: string; message: string } }).error.message).toContain(
      'nullifier',
    );

    const malformed = await prove({ ...request(), secret: '0xZZ' });
    expect(malformed.status).toBe(400);
    const tooBig = await prove({ ...request(), scope: '0x' + 'f'.repeat(64) });
    expect(tooBig.status).toBe(400);
    expect(((await tooBig.json()) as { error: { message: string } }).error.message).toMatch(
      /scope.*< r|field element/,
    );

    const readOnly = await createKey(env, 'read');
    expect((await prove(request(), readOnly.key)).status).toBe(403);
  });

  it('runs a proof as an async job with Prefer: respond-async, readable only by the key that asked', async () => {
    const r = await fetch(`${url}/v1/proofs`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${key}`,
        'content-type': 'application/json',
        prefer: 'respond-async',
      },
      body: JSON.stringify(request()),
    });
    expect(r.status).toBe(202);
    const job = (await r.json()) as { id: string; status: string };
    expect(job.status).toBe('pending');
    expect(r.headers.get('location')).toBe(`/v1/proofs/${job.id}`);
    const done = await waitFor(
      async () => {
        const g = await fetch(`${url}/v1/proofs/${job.id}`, { headers: { authorization: `Bearer ${key}` } });
        const b = (await g.json()) as {
          status: string;
          result?: { proof: string; publicInputs: { root: string } };
        };
        return b.status !== 'pending' ? b : undefined;
      },
      { what: 'async proof done', timeoutMs: 60_000, intervalMs: 200 },
    );
    expect(done.status).toBe('done');
    expect(done.result?.proof).toMatch(/^0x[0-9a-f]+$/);
    expect(done.result?.publicInputs.root).toBe(root);

    const other = await createKey(env, 'prove');
    expect(
      (await fetch(`${url}/v1/proofs/${job.id}`, { headers: { authorization: `Bearer ${other.key}` } }))
        .status,
    ).toBe(404);

    const bad = await fetch(`${url}/v1/proofs`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${key}`,
        'content-type': 'application/json',
        prefer: 'respond-async',
      },
      body: JSON.stringify({ ...request(), nullifier: hex(nullifier(SECRET, TRACK, SCOPE + 1n)) }),
    });
    const badJob = (await bad.json()) as { id: string };
    const failed = await waitFor(
      async () => {
        const g = await fetch(`${url}/v1/proofs/${badJob.id}`, {
          headers: { authorization: `Bearer ${key}` },
        });
        const b = (await g.json()) as { status: string; error?: { status: number; code: string } };
        return b.status !== 'pending' ? b : undefined;
      },
      { what: 'async proof failed', timeoutMs: 60_000, intervalMs: 200 },
    );
    expect(failed).toMatchObject({ status: 'failed', error: { status: 422, code: 'unprocessable' } });
  });

  it('never writes the secret to its logs', async () => {
    const out = gateway.stdout() + gateway.stderr();
    expect(out).toContain('/v1/proofs'); // requests were logged...
    for (const form of [SECRET.toString(16), SECRET.toString(), key]) expect(out).not.toContain(form); // ...without secrets or keys
  });
});
