import { Client } from 'pg';
import { FIELD_MODULUS } from '@rv/crypto';
import { createTestSchema, testEnv } from '@rv/testing';
import { createKey, gatewayEnv, keysCli, startGateway, type RunningGateway } from './gateway-harness';

const hex = (x: bigint): string => '0x' + x.toString(16).padStart(64, '0');

describe('gateway security: hostile requests get their documented status and change nothing', () => {
  let db: Awaited<ReturnType<typeof createTestSchema>>;
  let gw: RunningGateway;
  let pg: Client;
  let env: Record<string, string>;
  let verifyKey: string;
  let readKey: string;
  let revokedKey: string;

  const TABLES = [
    'api_keys',
    'gateway_verification_requests',
    'verifications',
    'nullifiers',
    'merkle_roots',
    'tracks',
  ];

  beforeAll(async () => {
    db = await createTestSchema('gw_security');
    env = gatewayEnv(db.schema, { BODY_LIMIT_BYTES: '65536' });
    gw = await startGateway(env);
    verifyKey = (await createKey(env, 'verify,read,analytics')).key;
    readKey = (await createKey(env, 'read')).key;
    const revoked = await createKey(env, 'verify');
    revokedKey = revoked.key;
    expect((await keysCli(env, ['revoke', revoked.id])).code).toBe(0);
    pg = new Client({ connectionString: testEnv().DATABASE_URL });
    await pg.connect();
    // one stored request, so "unchanged" is checked against non-empty contents too
    await pg.query(`SET search_path = "${db.schema}"`);
  }, 120_000);

  afterAll(async () => {
    await gw?.close();
    await pg?.end();
    await db?.drop();
  });

  /** Row count and content digest of every table a request could touch. */
  async function snapshot(): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const t of TABLES) {
      const r = await pg.query(
        `SELECT count(*)::text || ':' || coalesce(md5(string_agg(x::text, ',' ORDER BY x::text)), '') AS s FROM ${t} x`,
      );
      out[t] = (r.rows[0] as { s: string }).s;
    }
    return out;
  }

  const validBody = () => ({
    proof: '0x' + 'ab'.repeat(64),
    publicInputs: { root: hex(1n), trackId: hex(1n), scope: hex(2n), nullifier: hex(3n) },
  });

  const post = (body: unknown, headers: Record<string, string>, raw?: string) =>
    fetch(`${gw.url}/v1/verifications`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': 'sec-1', ...headers },
      body: raw ?? JSON.stringify(body),
    });

  const cases: { name: string; status: number; code: string; send: () => Promise<Response> }[] = [
    { name: 'no key', status: 401, code: 'unauthorized', send: () => post(validBody(), {}) },
    {
      name: 'wrong key',
      status: 401,
      code: 'unauthorized',
      send: () => post(validBody(), { authorization: 'Bearer rv_' + 'x'.repeat(43) }),
    },
    {
      name: 'revoked key',
      status: 401,
      code: 'unauthorized',
      send: () => post(validBody(), { authorization: `Bearer ${revokedKey}` }),
    },
    {
      name: 'missing scope',
      status: 403,
      code: 'forbidden',
      send: () => post(validBody(), { authorization: `Bearer ${readKey}` }),
    },
    {
      name: 'oversized body',
      status: 413,
      code: 'payload_too_large',
      send: () =>
        post({ ...validBody(), proof: '0x' + 'ab'.repeat(40_000) }, { authorization: `Bearer ${verifyKey}` }),
    },
    {
      name: 'malformed hex in the proof',
      status: 400,
      code: 'bad_request',
      send: () => post({ ...validBody(), proof: '0xabZZ' }, { authorization: `Bearer ${verifyKey}` }),
    },
    {
      name: 'odd-length proof hex',
      status: 400,
      code: 'bad_request',
      send: () => post({ ...validBody(), proof: '0xabc' }, { authorization: `Bearer ${verifyKey}` }),
    },
    {
      name: 'malformed hex in a public input',
      status: 400,
      code: 'bad_request',
      send: () =>
        post(
          { ...validBody(), publicInputs: { ...validBody().publicInputs, root: '0x12g4' } },
          { authorization: `Bearer ${verifyKey}` },
        ),
    },
    {
      name: 'field element = r',
      status: 400,
      code: 'bad_request',
      send: () =>
        post(
          { ...validBody(), publicInputs: { ...validBody().publicInputs, nullifier: hex(FIELD_MODULUS) } },
          { authorization: `Bearer ${verifyKey}` },
        ),
    },
    {
      name: 'field element 2^256 - 1',
      status: 400,
      code: 'bad_request',
      send: () =>
        post(
          { ...validBody(), publicInputs: { ...validBody().publicInputs, scope: hex(2n ** 256n - 1n) } },
          { authorization: `Bearer ${verifyKey}` },
        ),
    },
    {
      name: 'SQL in the Idempotency-Key',
      status: 400,
      code: 'bad_request',
      send: () =>
        post(validBody(), {
          authorization: `Bearer ${verifyKey}`,
          'idempotency-key': "x'; DROP TABLE api_keys;--",
        }),
    },
    {
      name: 'SQL in a public input',
      status: 400,
      code: 'bad_request',
      send: () =>
        post(
          { ...validBody(), publicInputs: { ...validBody().publicInputs, trackId: "1' OR '1'='1" } },
          { authorization: `Bearer ${verifyKey}` },
        ),
    },
    {
      name: 'SQL as the API key',
      status: 401,
      code: 'unauthorized',
      send: () => post(validBody(), { 'x-api-key': "' OR 1=1; DELETE FROM api_keys; --" }),
    },
    {
      name: 'SQL in a path parameter',
      status: 400,
      code: 'bad_request',
      send: () =>
        fetch(`${gw.url}/v1/tracks/1;DROP%20TABLE%20tracks`, {
          headers: { authorization: `Bearer ${verifyKey}` },
        }),
    },
    {
      name: 'SQL in an analytics query',
      status: 400,
      code: 'bad_request',
      send: () =>
        fetch(
          `${gw.url}/v1/analytics/verifications?trackId=1&from=2026-01-01'%20OR%20'1'='1&to=2026-02-01&granularity=day`,
          {
            headers: { authorization: `Bearer ${verifyKey}` },
          },
        ),
    },
    {
      name: 'SQL as a verification id',
      status: 404,
      code: 'not_found',
      send: () =>
        fetch(`${gw.url}/v1/verifications/1'%20OR%20'1'='1`, {
          headers: { authorization: `Bearer ${verifyKey}` },
        }),
    },
    {
      name: 'JSON that is not an object',
      status: 400,
      code: 'bad_request',
      send: () => post(undefined, { authorization: `Bearer ${verifyKey}` }, '[1,2,3]'),
    },
  ];

  it.each(cases)('$name → $status $code, database unchanged', async ({ status, code, send }) => {
    const before = await snapshot();
    const r = await send();
    const text = await r.text();
    expect({ status: r.status, body: JSON.parse(text) as unknown }).toEqual({
      status,
      body: { error: { code, message: expect.any(String) } },
    });
    expect(text).not.toMatch(/DROP|DELETE|node_modules|\bat .*:\d+:\d+/);
    expect(await snapshot()).toEqual(before);
  });
});
