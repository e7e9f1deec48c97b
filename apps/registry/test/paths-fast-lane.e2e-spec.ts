import { INestApplication } from '@nestjs/common';
import { connect } from 'net';
import request from 'supertest';
import type { AddressInfo } from 'net';
import type { Server } from 'http';
import { ApplyLeafChanges } from '../src/trees/apply-leaf-changes';
import { PathsFastLane } from '../src/trees/paths-fast-lane';
import { registrySchema, startRegistry } from './registry-test-app';

// The hot path routes are served by PathsFastLane in front of fastify + Nest. A query parameter
// the routes do not read (`x=1`) sends the same request down the framework's route instead: both
// must answer the same bytes and errors.
describe('registry paths fast lane (same answers as the framework routes)', () => {
  let db: Awaited<ReturnType<typeof registrySchema>>;
  let app: INestApplication;
  let lane: PathsFastLane;
  let server: Server;
  let url: string;

  beforeAll(async () => {
    db = await registrySchema();
    app = await startRegistry(db.schema);
    lane = app.get(PathsFastLane);
    const writer = app.get(ApplyLeafChanges);
    await writer.apply({
      trackId: 7n,
      seq: 1,
      slot: 100,
      changes: [1, 2, 3, 4, 5].map((i) => ({ type: 'append', leaf: BigInt(i) * 0x10001n })),
    });
    await writer.apply({ trackId: 7n, seq: 2, slot: 105, changes: [{ type: 'revoke', index: 1 }] });
    server = app.getHttpServer() as Server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  /** The answer of one request and whether the fast lane served it. */
  async function send(
    method: 'GET' | 'POST',
    path: string,
    body?: string,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; type: string | null; text: string; fast: boolean }> {
    const before = lane.served;
    const res = await fetch(url + path, {
      method,
      body,
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    });
    const text = await res.text();
    return { status: res.status, type: res.headers.get('content-type'), text, fast: lane.served > before };
  }

  /** The same request down both lanes: fast (as given) and framework (with `x=1` added). */
  async function bothLanes(method: 'GET' | 'POST', path: string, body?: string) {
    const fast = await send(method, path, body);
    const framework = await send(method, path + (path.includes('?') ? '&' : '?') + 'x=1', body);
    expect(fast.fast).toBe(true);
    expect(framework.fast).toBe(false);
    return { fast, framework };
  }

  it('serves single and batch paths itself, byte for byte what the framework route answers', async () => {
    for (const [method, path, body] of [
      ['GET', '/v1/trees/7/paths/3', undefined],
      ['GET', '/v1/trees/7/paths/3/', undefined],
      ['GET', '/v1/trees/7/paths/1?minSlot=105', undefined],
      ['GET', '/v1/trees/7/paths/2?seq=1', undefined],
      ['POST', '/v1/trees/7/paths', JSON.stringify({ indices: [4, 0, 4, 2] })],
      ['POST', '/v1/trees/7/paths?minSlot=100', JSON.stringify({ indices: [1], seq: 1 })],
    ] as const) {
      const { fast, framework } = await bothLanes(method, path, body);
      expect(fast.status).toBe(200);
      expect(fast.type).toBe('application/json; charset=utf-8');
      expect(fast.text).toBe(framework.text);
    }
    const batch = JSON.parse((await send('POST', '/v1/trees/7/paths', '{"indices":[4,0]}')).text) as {
      seq: number;
      paths: { index: number }[];
    };
    expect(batch.seq).toBe(2);
    expect(batch.paths.map((p) => p.index)).toEqual([4, 0]);
  });

  it('keeps concurrent batch answers apart (answer buffers are reused only after a response finished)', async () => {
    const asks = Array.from({ length: 64 }, () =>
      Array.from({ length: 30 }, () => Math.floor(Math.random() * 5)),
    );
    const before = lane.served;
    const answers = await Promise.all(
      asks.map((indices) => send('POST', '/v1/trees/7/paths', JSON.stringify({ indices }))),
    );
    expect(lane.served - before).toBe(64);
    const reference = JSON.parse(
      (await send('POST', '/v1/trees/7/paths', JSON.stringify({ indices: [0, 1, 2, 3, 4] }))).text,
    ) as { paths: unknown[] };
    answers.forEach((a, k) => {
      expect(a.status).toBe(200);
      const body = JSON.parse(a.text) as { paths: { index: number }[] };
      expect(body.paths).toEqual((asks[k] as number[]).map((i) => reference.paths[i]));
    });
  });

  it('answers errors with the same status and body as the framework route', async () => {
    const root = '0x' + '1'.repeat(64);
    for (const [method, path, body, status] of [
      ['GET', '/v1/trees/8/paths/0', undefined, 404],
      ['GET', '/v1/trees/7/paths/5', undefined, 404],
      ['GET', '/v1/trees/7/paths/1048576', undefined, 400],
      ['GET', '/v1/trees/18446744073709551616/paths/0', undefined, 400],
      ['GET', '/v1/trees/7/paths/0?minSlot=abc', undefined, 400],
      ['GET', '/v1/trees/7/paths/0?minSlot=106', undefined, 409],
      ['GET', `/v1/trees/7/paths/0?root=${root}`, undefined, 404],
      ['GET', `/v1/trees/7/paths/0?root=${root}&seq=1`, undefined, 400],
      ['GET', '/v1/trees/7/paths/0?seq=9', undefined, 404],
      ['POST', '/v1/trees/8/paths', '{"indices":[0]}', 404],
      ['POST', '/v1/trees/7/paths', '{"indices":[]}', 400],
      ['POST', '/v1/trees/7/paths', '{"indices":["1"]}', 400],
      ['POST', '/v1/trees/7/paths', 'null', 400],
      ['POST', '/v1/trees/7/paths', JSON.stringify({ indices: Array(1001).fill(0) }), 413],
      ['POST', '/v1/trees/7/paths?minSlot=200', '{"indices":[0]}', 409],
    ] as const) {
      const { fast, framework } = await bothLanes(method, path, body);
      expect([path, fast.status]).toEqual([path, status]);
      expect(fast.type).toBe('application/json; charset=utf-8');
      expect(JSON.parse(fast.text)).toEqual(JSON.parse(framework.text));
    }
  });

  it('answers a body that is not JSON, or poisons prototypes, with 400 and the framework message', async () => {
    for (const body of [
      '{"indices": [1',
      '{"indices":[1],"__proto__":{"x":1}}',
      '{"indices":[1],"constructor":{"prototype":{"x":1}}}',
    ]) {
      const { fast, framework } = await bothLanes('POST', '/v1/trees/7/paths', body);
      expect([body, fast.status, framework.status]).toEqual([body, 400, 400]);
      expect(JSON.parse(fast.text).message).toBe(JSON.parse(framework.text).message);
    }
  });

  it('leaves other shapes to the framework: HEAD, percent-encoding, repeated or unknown parameters, other types', async () => {
    const head = await fetch(`${url}/v1/trees/7/paths/3`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    const before = lane.served;
    expect((await send('GET', '/v1/trees/%37/paths/3')).status).toBe(200);
    expect((await send('GET', '/v1/trees/7/paths/3?minSlot=1&minSlot=2')).status).toBe(400);
    expect((await send('GET', '/v1/trees/7/paths/3?minSlot')).status).toBe(200);
    expect(
      (await send('POST', '/v1/trees/7/paths', '{"indices":[0]}', { 'content-type': 'text/plain' })).status,
    ).toBe(400);
    expect((await send('POST', '/v1/trees/7/paths?seq=1', '{"indices":[0]}')).status).toBe(200);
    expect(lane.served).toBe(before);
  });

  it('leaves chunked bodies to the framework, and survives a client that goes away mid-body', async () => {
    const raw = (text: string): Promise<string> =>
      new Promise((resolve, reject) => {
        const s = connect((server.address() as AddressInfo).port, '127.0.0.1');
        let out = '';
        s.on('data', (d: Buffer) => (out += d.toString()));
        s.on('end', () => resolve(out));
        s.on('error', reject);
        s.write(text);
      });
    const before = lane.served;
    const chunked = await raw(
      'POST /v1/trees/7/paths HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
        'Transfer-Encoding: chunked\r\nConnection: close\r\n\r\nf\r\n{"indices":[2]}\r\n0\r\n\r\n',
    );
    expect(chunked).toMatch(/^HTTP\/1.1 200/);
    expect(chunked).toContain('"index":2');
    expect(lane.served).toBe(before);

    // Headers promise 100 bytes, 10 arrive, then the client closes: no answer, no crash.
    await new Promise<void>((resolve) => {
      const s = connect((server.address() as AddressInfo).port, '127.0.0.1', () => {
        s.write(
          'POST /v1/trees/7/paths HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
            'Content-Length: 100\r\n\r\n{"indices"',
        );
        setTimeout(() => s.destroy(), 50);
      });
      s.on('close', () => resolve());
    });
    expect((await send('GET', '/v1/trees/7/paths/3')).status).toBe(200);
  });

  it('records its requests in the HTTP metrics under the route pattern', async () => {
    const count = async (method: string, route: string, status: number): Promise<number> => {
      const text = (await request(server).get('/metrics').expect(200)).text;
      const line = text
        .split('\n')
        .find(
          (l) =>
            l.startsWith('http_request_duration_seconds_count{') &&
            l.includes(`method="${method}"`) &&
            l.includes(`route="${route}"`) &&
            l.includes(`status="${status}"`),
        );
      return line ? Number(line.split(' ').pop()) : 0;
    };
    const post = ['POST', '/v1/trees/:trackId/paths', 200] as const;
    const get = ['GET', '/v1/trees/:trackId/paths/:leafIndex', 404] as const;
    const before = [await count(...post), await count(...get)];
    const answers = [
      await send('POST', '/v1/trees/7/paths', '{"indices":[0]}'),
      await send('GET', '/v1/trees/8/paths/0'),
    ];
    expect(answers.map((a) => [a.status, a.fast])).toEqual([
      [200, true],
      [404, true],
    ]);
    expect([await count(...post), await count(...get)]).toEqual([
      (before[0] as number) + 1,
      (before[1] as number) + 1,
    ]);
  });

  it('hands every request to the framework once the app starts closing', async () => {
    const before = lane.served;
    lane.onModuleDestroy();
    const res = await send('GET', '/v1/trees/7/paths/3');
    expect([res.status, res.fast, lane.served]).toEqual([200, false, before]);
  });
});
