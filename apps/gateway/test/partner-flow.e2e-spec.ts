// The acceptance flow of the partner API end to end, every component real: the local chain
// (tools/localnet, JSON-RPC + Yellowstone gRPC), apps/indexer (ingest + projector over Kafka),
// apps/registry, apps/prover, the gateway, PostgreSQL and Redis. Roots become accepted only when
// the indexer sees MerkleRootUpdated; the verification reaches analytics only when it sees
// OwnershipVerified.
import { Client } from 'pg';
import { RvApiError, RvClient } from '@rv/client';
import { commitment, leafHash, nullifier } from '@rv/crypto';
import { createTestSchema, spawnApp, testEnv, uniqueName, waitFor, type SpawnedApp } from '@rv/testing';
import { ensureTestCrs } from '../../../circuits/scripts/test-crs';
import { ChainFixture } from './chain-fixture';
import { createKey, gatewayEnv, startGateway, type RunningGateway } from './gateway-harness';
import { startProver } from './prover-fixture';
import { RegistryFixture } from './registry-fixture';

const hex = (x: bigint): string => '0x' + x.toString(16).padStart(64, '0');
const SECRET = 0xf10e_5ec7e7_0ddba11_c0ffee_7777777n;
const TOKEN = 0x70c3n;
const TRACK = 21n;
const SCOPE = 0x2026_11n;

describe('acceptance: partner flow over the local chain, indexer, registry, prover and gateway', () => {
  let db: Awaited<ReturnType<typeof createTestSchema>>;
  let registry: RegistryFixture;
  let prover: Awaited<ReturnType<typeof startProver>>;
  let chain: ChainFixture;
  let indexer: SpawnedApp;
  let gw: RunningGateway;
  let pg: Client;
  let client: RvClient;
  let env: Record<string, string>;

  beforeAll(async () => {
    db = await createTestSchema('gw_flow');
    chain = await ChainFixture.start();
    registry = await RegistryFixture.start(db.schema, 20);
    indexer = spawnApp('indexer', {
      DATABASE_URL: testEnv().DATABASE_URL,
      DATABASE_SCHEMA: db.schema,
      KAFKA_BROKERS: testEnv().KAFKA_BROKERS,
      PORT: '0',
      LOG_LEVEL: 'info',
      GEYSER_ENDPOINT: chain.ln.grpcEndpoint,
      SOLANA_RPC_URL: chain.rpcUrl,
      CHAIN_UPDATES_TOPIC: uniqueName('rv.chain.updates.v1.gwflow'),
      LEAF_CHANGES_TOPIC: uniqueName('rv.registry.leaf-changes.v1.gwflow'),
      PROJECTOR_GROUP: uniqueName('gwflow-projector'),
      INGEST_NAME: uniqueName('gwflow'),
      INGEST_START_SLOT: '1',
      TOPIC_PARTITIONS: '1',
    });
    await indexer.listening(90_000);
    chain.registerTrack(TRACK, 20);
    const leaves = [leafHash(commitment(3001n), TOKEN, TRACK), leafHash(commitment(SECRET), TOKEN, TRACK)];
    await registry.append(TRACK, 1, leaves, 20);
    const head = (await (await fetch(`${registry.url}/v1/trees/${TRACK}`)).json()) as { root: string };
    chain.updateRoot(TRACK, BigInt(head.root), 2, 1);
    prover = await startProver(registry.url);
    env = gatewayEnv(db.schema, {
      REGISTRY_URL: registry.url,
      PROVER_URL: prover.url,
      SOLANA_RPC_URL: chain.rpcUrl,
      VERIFIER_KEYPAIR_FILE: chain.verifierFile,
      CRS_PATH: ensureTestCrs(),
      ALLOW_TEST_CRS: 'true',
      RATE_LIMIT_IP_PER_MIN: '100000', // limits have their own spec; this one polls
      READ_HEAD_TTL_MS: '200',
      ANALYTICS_K: '1', // one verification in this spec; the k-anonymity spec covers suppression
    });
    gw = await startGateway(env);
    pg = new Client({ connectionString: testEnv().DATABASE_URL });
    await pg.connect();
  }, 300_000);

  afterAll(async () => {
    await gw?.close();
    await pg?.end();
    if (indexer) {
      indexer.proc.kill('SIGTERM');
      await indexer.exited;
    }
    await prover?.stop();
    await registry?.stop();
    await chain?.stop();
    await db?.drop();
  });

  it('a partner creates a key, reads the accepted root and a path, proves, verifies once, and sees it in analytics', async () => {
    const { key } = await createKey(env, 'read,prove,verify,analytics', 'standard', 'Venue Y');
    client = new RvClient({ baseUrl: gw.url, apiKey: key });
    expect((await client.me()).scopes).toEqual(['read', 'prove', 'verify', 'analytics']);

    // accepted only once the indexer has seen MerkleRootUpdated for seq 1
    const root = await waitFor(
      async () => {
        try {
          return await client.acceptedRoot(TRACK);
        } catch (e) {
          if (e instanceof RvApiError && e.status === 404) return undefined;
          throw e;
        }
      },
      { what: 'root accepted by the indexer', timeoutMs: 60_000, intervalMs: 200 },
    );
    expect(root.seq).toBe(1);
    const path = await client.path(TRACK, 1);
    expect(path.root).toBe(root.root);

    // the async job interface of the client (Prefer: respond-async + polling)
    const job = await client.proveAsync({
      secret: hex(SECRET),
      token: hex(TOKEN),
      trackId: hex(TRACK),
      scope: hex(SCOPE),
      nullifier: hex(nullifier(SECRET, TRACK, SCOPE)),
      root: root.root,
      leafIndex: 1,
    });
    const proof = await client.waitForProof(job.id, { timeoutMs: 60_000, intervalMs: 200 });
    const v = await client.verify(proof, { idempotencyKey: 'flow-1' });
    const replay = await client.verify(proof, { idempotencyKey: 'flow-1' });
    expect(replay).toMatchObject({ id: v.id, signature: v.signature });
    const done = await client.waitForVerification(v.id, { timeoutMs: 30_000, intervalMs: 100 });
    expect(done.status).toBe('confirmed');

    // the indexer projects OwnershipVerified: exactly one verification row, no wallet in it
    const rows = await waitFor(
      async () => {
        const r = await pg.query(`SELECT * FROM "${db.schema}".verifications WHERE track_id = $1`, [
          TRACK.toString(),
        ]);
        return r.rows.length > 0 ? r.rows : undefined;
      },
      { what: 'OwnershipVerified projected', timeoutMs: 60_000, intervalMs: 200 },
    );
    expect(rows).toHaveLength(1);
    expect(rows[0].signature).toBe(v.signature);
    expect(Object.keys(rows[0] as object).some((c) => /wallet/.test(c))).toBe(false);

    const today = new Date().toISOString().slice(0, 10);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const perDay = await client.verificationsPerPeriod({
      trackId: TRACK,
      from: today,
      to: tomorrow,
      granularity: 'day',
    });
    expect(perDay.buckets).toEqual([{ start: `${today}T00:00:00.000Z`, count: 1, suppressed: false }]);
    const scopes = await client.uniqueNullifiersPerScope({ trackId: TRACK, from: today, to: tomorrow });
    expect(scopes.scopes).toEqual([{ scope: hex(SCOPE), uniqueNullifiers: 1 }]);

    // the same nullifier again: 409; a tampered proof: 422
    await expect(client.verify(proof, { idempotencyKey: 'flow-2' })).rejects.toMatchObject({
      status: 409,
      code: 'nullifier_used',
    });
    const bytes = Buffer.from(proof.proof.slice(2), 'hex');
    bytes[64] = bytes[64]! ^ 0x80;
    await expect(
      client.verify({ ...proof, proof: '0x' + bytes.toString('hex') }, { idempotencyKey: 'flow-3' }),
    ).rejects.toMatchObject({
      status: 422,
      code: 'invalid_proof',
    });
    const recorded = await pg.query(`SELECT count(*)::int AS n FROM "${db.schema}".nullifiers`);
    expect(recorded.rows[0].n).toBe(1);
  });
});
