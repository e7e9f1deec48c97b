import * as grpc from '@grpc/grpc-js';
import { readFileSync } from 'fs';
import { localnetConfig } from '../src/config';
import { loadGeyserPackage } from '../src/geyser/proto';
import { Localnet } from '../src/localnet';
import { makeTestCertificates, type TestCertificates } from '../src/test-certificates';
import { emptyRequest } from './helpers';

type GeyserClient = grpc.Client & {
  GetSlot(
    req: object,
    md: grpc.Metadata,
    cb: (e: grpc.ServiceError | null, r?: { slot: string }) => void,
  ): grpc.ClientUnaryCall;
  Subscribe(md: grpc.Metadata): grpc.ClientDuplexStream<object, Record<string, unknown>>;
};

const pkg = grpc.loadPackageDefinition(loadGeyserPackage()) as unknown as {
  geyser: { Geyser: new (addr: string, creds: grpc.ChannelCredentials) => GeyserClient };
};

const md = (token?: string) => {
  const m = new grpc.Metadata();
  if (token !== undefined) m.set('x-token', token);
  return m;
};

// The gRPC port as a real provider serves it: TLS (a CA made for this run) and an x-token.
describe('localnet gRPC over TLS with an x-token', () => {
  const TOKEN = 'xt-localnet-spec';
  let certs: TestCertificates;
  let ln: Localnet;
  const clients: grpc.Client[] = [];
  const client = (creds: grpc.ChannelCredentials) => {
    const c = new pkg.geyser.Geyser(ln.grpcEndpoint.replace(/^https?:\/\//, ''), creds);
    clients.push(c);
    return c;
  };
  const trusted = () => client(grpc.credentials.createSsl(readFileSync(certs.caFile)));
  const getSlot = (c: GeyserClient, token?: string) =>
    new Promise<{ slot: string }>((resolve, reject) =>
      c.GetSlot({}, md(token), (e, r) => (e ? reject(e) : resolve(r!))),
    );

  beforeAll(async () => {
    certs = makeTestCertificates();
    ln = await Localnet.start({
      grpcPort: 0,
      rpcPort: 0,
      chain: { slotMs: 0, confirmDepth: 1, finalizeDepth: 3 },
      grpcTls: { cert: certs.cert, key: certs.key },
      geyser: { xToken: TOKEN },
    });
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await ln.stop();
    certs.remove();
  });

  it('answers calls that carry the token over TLS; a missing or wrong token gets UNAUTHENTICATED', async () => {
    expect(ln.grpcEndpoint).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    ln.chain.advance(3);
    const c = trusted();
    expect(await getSlot(c, TOKEN)).toEqual({ slot: String(ln.chain.processedSlot) });
    for (const token of [undefined, 'wrong', `${TOKEN}x`, TOKEN.slice(0, -1)]) {
      await expect(getSlot(c, token)).rejects.toMatchObject({
        code: grpc.status.UNAUTHENTICATED,
        details: 'No valid auth token',
      });
    }
  });

  it('streams to a Subscribe with the token; ends one without it with UNAUTHENTICATED', async () => {
    const c = trusted();
    const status = await new Promise<grpc.StatusObject>((resolve) => {
      const call = c.Subscribe(md());
      call.on('data', () => undefined);
      call.on('error', () => undefined);
      call.on('status', resolve);
      call.write(emptyRequest());
    });
    expect(status).toMatchObject({ code: grpc.status.UNAUTHENTICATED, details: 'No valid auth token' });

    const call = c.Subscribe(md(TOKEN));
    const slots: string[] = [];
    call.on('data', (u: { slot?: { slot: string } }) => u.slot && slots.push(u.slot.slot));
    call.on('error', () => undefined);
    call.write({ ...emptyRequest(), slots: { s: {} } });
    await new Promise((r) => setTimeout(r, 200));
    const next = ln.chain.advance(1);
    const deadline = Date.now() + 10000;
    while (!slots.includes(String(next - 1)) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    call.cancel();
    expect(slots).toContain(String(next - 1));
  });

  it('is not reachable in plaintext, nor by a client that trusts only the system roots', async () => {
    await expect(getSlot(client(grpc.credentials.createInsecure()), TOKEN)).rejects.toMatchObject({
      code: grpc.status.UNAVAILABLE,
    });
    await expect(getSlot(client(grpc.credentials.createSsl()), TOKEN)).rejects.toMatchObject({
      code: grpc.status.UNAVAILABLE,
      details: expect.stringMatching(/certificate/),
    });
  });

  it('RV_LOCALNET_GRPC_TLS_CERT_FILE / _KEY_FILE / RV_LOCALNET_X_TOKEN configure it; a bad pair names the variable', () => {
    const o = localnetConfig({
      RV_LOCALNET_GRPC_TLS_CERT_FILE: certs.certFile,
      RV_LOCALNET_GRPC_TLS_KEY_FILE: certs.keyFile,
      RV_LOCALNET_X_TOKEN: TOKEN,
    });
    expect(o.grpcTls).toEqual({ cert: certs.cert, key: certs.key });
    expect(o.geyser.xToken).toBe(TOKEN);
    expect(localnetConfig({}).grpcTls).toBeUndefined();
    expect(() => localnetConfig({ RV_LOCALNET_GRPC_TLS_CERT_FILE: certs.certFile })).toThrow(
      /RV_LOCALNET_GRPC_TLS_CERT_FILE and RV_LOCALNET_GRPC_TLS_KEY_FILE go together/,
    );
    expect(() =>
      localnetConfig({
        RV_LOCALNET_GRPC_TLS_CERT_FILE: certs.certFile,
        RV_LOCALNET_GRPC_TLS_KEY_FILE: `${certs.dir}/missing.key`,
      }),
    ).toThrow(/RV_LOCALNET_GRPC_TLS_KEY_FILE: cannot read/);
  });
});
