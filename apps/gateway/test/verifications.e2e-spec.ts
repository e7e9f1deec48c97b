import { Client } from 'pg';
import { commitment, leafHash, nullifier } from '@rv/crypto';
import { RvApiError, RvClient } from '@rv/client';
import { createTestSchema, testEnv, waitFor } from '@rv/testing';
import { ensureTestCrs } from '../../../circuits/scripts/test-crs';
import { parseVerificationInput } from '../src/verifications/verification-input';
import { ChainFixture } from './chain-fixture';
import { createKey, gatewayEnv, startGateway, type RunningGateway } from './gateway-harness';
import { startProver } from './prover-fixture';
import { RegistryFixture } from './registry-fixture';

const hex = (x: bigint): string => '0x' + x.toString(16).padStart(64, '0');
const SECRET = 0xa11ce_5ec7e7_0ddba11_c0ffee_1234567n;
const TOKEN = 0x70c3n;
const TRACK = 12n;

interface Proof {
  proof: string;
  publicInputs: { root: string; trackId: string; scope: string; nullifier: string };
}

describe('partner flow: key, root, path, proof, verification on the local chain (real registry, prover, PostgreSQL, Redis)', () => {
  let db: Awaited<ReturnType<typeof createTestSchema>>;
  let registry: RegistryFixture;
  let prover: Awaited<ReturnType<typeof startProver>>;
  let chain: ChainFixture;
  let gw: RunningGateway;
  let env: Record<string, string>;
  let pg: Client;
  let auth: Record<string, string>;
  let proof: Proof;

  beforeAll(async () => {
    db = await createTestSchema('gw_verify');
    registry = await RegistryFixture.start(db.schema, 20);
    chain = await ChainFixture.start();
    const leaves = [leafHash(commitment(1001n), TOKEN, TRACK), leafHash(commitment(SECRET), TOKEN, TRACK)];
    await registry.append(TRACK, 1, leaves, 20);
    const head = (await (await fetch(`${registry.url}/v1/trees/${TRACK}`)).json()) as { root: string };
    chain.registerTrack(TRACK, 20);
    chain.updateRoot(TRACK, BigInt(head.root), 2, 1);
    await registry.accept(TRACK, 1); // what the indexer does on MerkleRootUpdated
    prover = await startProver(registry.url);
    env = gatewayEnv(db.schema, {
      REGISTRY_URL: registry.url,
      PROVER_URL: prover.url,
      SOLANA_RPC_URL: chain.rpcUrl,
      VERIFIER_KEYPAIR_FILE: chain.verifierFile,
      CRS_PATH: ensureTestCrs(),
      ALLOW_TEST_CRS: 'true',
      RATE_LIMIT_IP_PER_MIN: '100000', // limits have their own spec; this one polls
    });
    gw = await startGateway(env);
    auth = { authorization: `Bearer ${(await createKey(env, 'read,prove,verify')).key}` };
    pg = new Client({ connectionString: testEnv().DATABASE_URL });
    await pg.connect();
  }, 240_000);

  afterAll(async () => {
    await gw?.close();
    await pg?.end();
    await prover?.stop();
    await registry?.stop();
    await chain?.stop();
    await db?.drop();
  });

  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const r = await fetch(`${gw.url}${path}`, {
      method,
      headers: { ...auth, ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: r.status, headers: r.headers, body: (await r.json()) as Record<string, any> };
  };

  async function proveFor(scope: bigint, root: string): Promise<Proof> {
    const r = await call('POST', '/v1/proofs', {
      secret: hex(SECRET),
      token: hex(TOKEN),
      trackId: hex(TRACK),
      scope: hex(scope),
      nullifier: hex(nullifier(SECRET, TRACK, scope)),
      root,
      leafIndex: 1,
    });
    expect(r.status).toBe(200);
    return r.body as Proof;
  }

  const rows = async (where = 'true', params: unknown[] = []) =>
    (await pg.query(`SELECT * FROM "${db.schema}".gateway_verification_requests WHERE ${where}`, params))
      .rows as Record<string, any>[];

  it('verifies a proof, records it on chain once, answers the same for the same Idempotency-Key, and confirms', async () => {
    const root = await call('GET', `/v1/tracks/${TRACK}/root`);
    expect(root.status).toBe(200);
    const path = await call('GET', `/v1/tracks/${TRACK}/paths/1`);
    expect(path.body.root).toBe(root.body.root);
    proof = await proveFor(1n, root.body.root);

    const first = await call('POST', '/v1/verifications', proof, { 'idempotency-key': 'order-1' });
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({
      status: 'pending',
      trackId: String(TRACK),
      nullifier: proof.publicInputs.nullifier,
    });
    expect(first.body.signature).toMatch(/^[1-9A-HJ-NP-Za-km-z]{64,88}$/);

    const again = await call('POST', '/v1/verifications', proof, { 'idempotency-key': 'order-1' });
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.id).toBe(first.body.id);
    expect(again.body.signature).toBe(first.body.signature);

    const confirmed = await waitFor(
      async () => {
        const r = await call('GET', `/v1/verifications/${first.body.id}`);
        return r.body.status === 'confirmed' ? r : undefined;
      },
      { what: 'confirmed verification', timeoutMs: 15_000 },
    );
    expect(confirmed.body.slot).toBeGreaterThan(0);
    const tx = chain.ln.chain.getTransaction(first.body.signature);
    expect(tx?.err).toBeFalsy();
    expect(await rows()).toHaveLength(1);
  });

  it('answers 409 for the same nullifier again (another Idempotency-Key) and nothing new is submitted', async () => {
    const r = await call('POST', '/v1/verifications', proof, { 'idempotency-key': 'order-2' });
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('nullifier_used');
    const stored = await rows(`idempotency_key = 'order-2'`);
    expect(stored[0]).toMatchObject({ status: 'rejected', signature: null });
  });

  it('answers 409 when only the chain knows the nullifier (recorded by another gateway)', async () => {
    // same proof, but this gateway's own rows are gone: the chain check still catches it
    await pg.query(`DELETE FROM "${db.schema}".gateway_verification_requests`);
    const r = await call('POST', '/v1/verifications', proof, { 'idempotency-key': 'order-3' });
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('nullifier_used');
  });

  it('answers 422 for a tampered proof, again on retry, and records nothing', async () => {
    const bytes = Buffer.from(proof.proof.slice(2), 'hex');
    bytes[100] = bytes[100]! ^ 0x01;
    const tampered = { ...proof, proof: '0x' + bytes.toString('hex') };
    for (let i = 0; i < 2; i++) {
      const r = await call('POST', '/v1/verifications', tampered, { 'idempotency-key': 'tampered-1' });
      expect(r.status).toBe(422);
      expect(r.body.error.code).toBe('invalid_proof');
    }
    const other = await call(
      'POST',
      '/v1/verifications',
      { ...proof, publicInputs: { ...proof.publicInputs, scope: hex(99n) } },
      { 'idempotency-key': 'tampered-2' },
    );
    expect(other.status).toBe(422);
    expect((await rows(`signature IS NOT NULL`)).length).toBe(0);
  });

  it('answers 422 idempotency_key_reused when the same key comes with another body, 400 without a key', async () => {
    const r = await call(
      'POST',
      '/v1/verifications',
      { ...proof, publicInputs: { ...proof.publicInputs, scope: hex(98n) } },
      { 'idempotency-key': 'tampered-1' },
    );
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe('idempotency_key_reused');
    expect((await call('POST', '/v1/verifications', proof)).status).toBe(400);
  });

  it('answers 503 while the chain is unreachable, then records exactly once when retried with the same key', async () => {
    const root = (await call('GET', `/v1/tracks/${TRACK}/root`)).body.root as string;
    const p = await proveFor(3n, root);
    const down = await startGateway({
      ...env,
      SOLANA_RPC_URL: 'http://127.0.0.1:9',
      CHAIN_TIMEOUT_MS: '500',
    });
    try {
      const r = await fetch(`${down.url}/v1/verifications`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json', 'idempotency-key': 'retry-me' },
        body: JSON.stringify(p),
      });
      expect(r.status).toBe(503);
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      await down.close();
    }
    expect((await rows(`idempotency_key = 'retry-me'`))[0]).toMatchObject({
      status: 'retryable',
      signature: null,
    });

    const ok = await call('POST', '/v1/verifications', p, { 'idempotency-key': 'retry-me' });
    expect(ok.status).toBe(202);
    const again = await call('POST', '/v1/verifications', p, { 'idempotency-key': 'retry-me' });
    expect(again.body.signature).toBe(ok.body.signature);
    await waitFor(
      async () => (await call('GET', `/v1/verifications/${ok.body.id}`)).body.status === 'confirmed',
      { what: 'confirmed' },
    );
    const n = nullifier(SECRET, TRACK, 3n);
    const withNullifier = await rows(`nullifier = $1`, [
      Buffer.from(n.toString(16).padStart(64, '0'), 'hex'),
    ]);
    expect(withNullifier).toHaveLength(1);
  });

  // (after this test the registry head (seq 2) is ahead of the accepted root (seq 1): the prover
  // cannot fetch a path at seq 1 any more, since the registry serves only current paths)
  it('answers 422 root_not_accepted for a proof against a root the chain has not accepted', async () => {
    await registry.append(TRACK, 2, [leafHash(commitment(1005n), TOKEN, TRACK)], 20);
    const head = (await (await fetch(`${registry.url}/v1/trees/${TRACK}`)).json()) as { root: string };
    const p = await proveFor(2n, head.root);
    const r = await call('POST', '/v1/verifications', p, { 'idempotency-key': 'fresh-root' });
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe('root_not_accepted');
  });

  it('shows a verification only to the key that made it', async () => {
    const [one] = await rows(`status = 'confirmed'`);
    const other = await createKey(env, 'verify');
    const r = await fetch(`${gw.url}/v1/verifications/${one!.id}`, { headers: { 'x-api-key': other.key } });
    expect(r.status).toBe(404);
  });

  it('the typed client (@rv/client) runs the whole partner flow once the new root is accepted', async () => {
    const head = (await (await fetch(`${registry.url}/v1/trees/${TRACK}`)).json()) as {
      root: string;
      seq: number;
      leafCount: number;
    };
    chain.updateRoot(TRACK, BigInt(head.root), head.leafCount, head.seq);
    await registry.accept(TRACK, head.seq);
    const { key } = await createKey(env, 'read,prove,verify');
    const client = new RvClient({ baseUrl: gw.url, apiKey: key });

    const root = await waitFor(
      async () => {
        const r = await client.acceptedRoot(TRACK);
        return r.seq === head.seq ? r : undefined;
      },
      { what: 'the accepted root seq 2 through the cache' },
    );
    const path = await client.path(TRACK, 1);
    expect(path.root).toBe(root.root);
    const scope = 4n;
    const p = await client.prove({
      secret: hex(SECRET),
      token: hex(TOKEN),
      trackId: hex(TRACK),
      scope: hex(scope),
      nullifier: hex(nullifier(SECRET, TRACK, scope)),
      root: root.root,
      leafIndex: path.path.index,
      siblings: path.path.siblings,
    });
    const v = await client.verify(p, { idempotencyKey: 'client-flow-1' });
    expect(v.status).toBe('pending');
    const done = await client.waitForVerification(v.id, { timeoutMs: 15_000, intervalMs: 100 });
    expect(done).toMatchObject({ id: v.id, status: 'confirmed', signature: v.signature });

    const again = await client.verify(p, { idempotencyKey: 'client-flow-2' }).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(RvApiError);
    expect(again).toMatchObject({ status: 409, code: 'nullifier_used' });
  });

  /** A proof at the accepted root (seq 2 by now) for another scope, via the client. */
  async function clientProof(key: string, scope: bigint) {
    const client = new RvClient({ baseUrl: gw.url, apiKey: key });
    const root = await client.acceptedRoot(TRACK);
    const path = await client.path(TRACK, 1);
    const p = await client.prove({
      secret: hex(SECRET),
      token: hex(TOKEN),
      trackId: hex(TRACK),
      scope: hex(scope),
      nullifier: hex(nullifier(SECRET, TRACK, scope)),
      root: root.root,
      leafIndex: 1,
      siblings: path.path.siblings,
    });
    return { client, p };
  }

  /** Plants a request row as a gateway that died (or whose transaction vanished) would leave it. */
  async function plant(keyId: string, idem: string, p: Proof, status: string, signature: string | null) {
    const input = parseVerificationInput(p);
    const b = (x: bigint) => Buffer.from(x.toString(16).padStart(64, '0'), 'hex');
    const id = (
      await pg.query(
        `INSERT INTO "${db.schema}".gateway_verification_requests
           (id, api_key_id, idempotency_key, request_hash, status, track_id, scope, nullifier, root, signature, created_at, updated_at)
         VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $6, $7, $8, $9, now() - interval '10 minutes', now() - interval '10 minutes') RETURNING id`,
        [
          keyId,
          idem,
          input.hash,
          status,
          TRACK.toString(),
          b(input.publicInputs.scope),
          b(input.publicInputs.nullifier),
          b(input.publicInputs.root),
          signature,
        ],
      )
    ).rows[0].id as string;
    return id;
  }

  it('a retry takes over a request left "processing" by a gateway that died', async () => {
    const k = await createKey(env, 'read,prove,verify');
    const { client, p } = await clientProof(k.key, 5n);
    const id = await plant(k.id, 'crashed-1', p, 'processing', null);
    const v = await client.verify(p, { idempotencyKey: 'crashed-1' });
    expect(v).toMatchObject({ id, status: 'pending' });
    expect((await client.waitForVerification(id, { timeoutMs: 15_000, intervalMs: 100 })).status).toBe(
      'confirmed',
    );
  });

  it('a submitted transaction the chain never saw shows as dropped, and a retry with the same key resubmits it once', async () => {
    const k = await createKey(env, 'read,prove,verify');
    const { client, p } = await clientProof(k.key, 6n);
    const lost = '5'.repeat(64); // a signature the chain never saw
    const id = await plant(k.id, 'lost-1', p, 'submitted', lost);
    const seen = await client.verification(id);
    expect(seen).toMatchObject({ status: 'pending', error: { code: 'dropped' } });
    const again = await client.verify(p, { idempotencyKey: 'lost-1' });
    expect(again.id).toBe(id);
    expect(again.signature).not.toBe(lost);
    const done = await client.waitForVerification(id, { timeoutMs: 15_000, intervalMs: 100 });
    expect(done.status).toBe('confirmed');
    expect(done.error).toBeUndefined();
    expect(await rows(`idempotency_key = 'lost-1'`)).toHaveLength(1);
  });

  it('counts outcomes in Prometheus metrics', async () => {
    const text = await (await fetch(`${gw.url}/metrics`)).text();
    expect(text).toMatch(/rv_gateway_verifications_total\{[^}]*outcome="submitted"[^}]*\} [1-9]/);
    expect(text).toMatch(/rv_gateway_verifications_total\{[^}]*outcome="nullifier_used"[^}]*\} [1-9]/);
    expect(text).toMatch(/rv_gateway_verifications_total\{[^}]*outcome="invalid_proof"[^}]*\} [1-9]/);
  });
});
