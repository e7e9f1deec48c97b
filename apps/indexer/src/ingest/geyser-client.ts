import * as grpc from '@grpc/grpc-js';
import { readFileSync } from 'fs';
import Client, {
  SubscribeReplayInfoRequest,
  SubscribeReplayInfoResponse,
  SubscribeRequest,
  SubscribeUpdate,
} from '@triton-one/yellowstone-grpc';

/**
 * How the ingest talks Yellowstone gRPC. Both use @triton-one/yellowstone-grpc's protocol types and
 * codecs:
 * - `napi`: the package's official client (Rust tonic behind N-API). It hands JavaScript one update
 *   per read() promise, a thread round trip each: measured here ~50 µs of CPU per update and at most
 *   ~14k updates/s for a consumer that does nothing else (bench localnet).
 * - `grpc-js`: the same Subscribe / SubscribeReplayInfo calls over @grpc/grpc-js (how this package
 *   worked before its N-API client), decoded with the package's SubscribeUpdate codec: ~10 µs of
 *   CPU per update, updates arrive in whole socket reads. TLS for https:// endpoints, x-token as
 *   the `x-token` header, as the providers (Triton, Helius LaserStream) expect.
 * The default is grpc-js: in bench/ingest the whole pipeline on 2 cores ran at ~10k updates/s with
 * it against ~5k/s with napi (the ingest delivers whole socket reads, so every stage batches more:
 * a third of the ingest CPU, fewer and larger produce requests and projector transactions).
 * Both pass the same stream-drop, dead-slot and replay-window specs.
 *
 * TLS (https:// endpoints) trusts the system's roots, or only the PEM certificates of `caFile`
 * (GEYSER_CA_FILE): grpc-js takes them as root certificates; the N-API client (tonic + rustls) reads
 * roots only from the OS store or from the file named by SSL_CERT_FILE, so for it `caFile` is set
 * there (this process's environment) before it connects. The x-token travels as `x-token`
 * metadata on every call; it is never part of an error message or a log line here.
 */
export type GeyserTransport = 'napi' | 'grpc-js';

/** A Yellowstone call failed: the gRPC status code (grpc-js numbering) when known, and why. */
export class GeyserCallError extends Error {
  constructor(
    readonly code: grpc.status | undefined,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The endpoint refused the credentials (UNAUTHENTICATED: missing or wrong x-token;
 * PERMISSION_DENIED: the token may not use this endpoint): retrying cannot help until the
 * configuration or the provider account changes.
 */
export function credentialsRejected(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return code === grpc.status.UNAUTHENTICATED || code === grpc.status.PERMISSION_DENIED;
}

/** One Subscribe stream: ordered updates, requests written on the same stream. */
export interface GeyserStream extends AsyncIterable<SubscribeUpdate> {
  write(req: SubscribeRequest): Promise<void>;
  /** Ends the stream (the iteration then throws or ends). */
  destroy(): void;
}

/** A connection to a Yellowstone endpoint. */
export interface GeyserConnection {
  /** The oldest slot a from_slot subscription can still start at (0 = unknown / no limit). */
  firstAvailableSlot(): Promise<number>;
  subscribe(): Promise<GeyserStream>;
  close(): void;
}

export async function connectGeyser(
  endpoint: string,
  xToken: string | undefined,
  transport: GeyserTransport,
  caFile?: string,
): Promise<GeyserConnection> {
  return transport === 'grpc-js'
    ? connectGrpcJs(endpoint, xToken, caFile)
    : connectNapi(endpoint, xToken, caFile);
}

/**
 * The N-API client's errors say what happened only along their `cause` chain ("failed to connect to
 * gRPC endpoint" <- ... <- "invalid peer certificate: UnknownIssuer"; "subscribe_replay_info request
 * failed" <- "gRPC status: code: 'The request does not have valid authentication credentials',
 * message: ..."): the chain becomes one message, and the status code is read back from tonic's
 * descriptions of the codes this ingest acts on. (Duck-typed: the addon's errors may come from
 * another realm than this module's Error.)
 */
function napiError(e: unknown): Error {
  const parts: string[] = [];
  for (let x: unknown = e; x !== undefined && x !== null && parts.length < 8;) {
    const msg = typeof x === 'object' && 'message' in x ? String(x.message) : String(x);
    if (!parts.includes(msg)) parts.push(msg);
    x = typeof x === 'object' && 'cause' in x ? x.cause : undefined;
  }
  const text = parts.join(': ');
  const code = text.includes('does not have valid authentication credentials')
    ? grpc.status.UNAUTHENTICATED
    : text.includes('does not have permission')
      ? grpc.status.PERMISSION_DENIED
      : undefined;
  return new GeyserCallError(code, text);
}

async function napiCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw napiError(e);
  }
}

async function connectNapi(
  endpoint: string,
  xToken: string | undefined,
  caFile: string | undefined,
): Promise<GeyserConnection> {
  // Written, not read: rustls-native-certs in the addon takes custom roots only from SSL_CERT_FILE.
  // eslint-disable-next-line no-restricted-syntax
  if (caFile) process.env.SSL_CERT_FILE = caFile;
  const client = new Client(endpoint, xToken, undefined);
  await napiCall(() => client.connect());
  return {
    firstAvailableSlot: async () =>
      Number((await napiCall(() => client.subscribeReplayInfo())).firstAvailable ?? 0),
    subscribe: async () => {
      const s = await napiCall(() => client.subscribe());
      return {
        [Symbol.asyncIterator]: () => {
          const it = (s as AsyncIterable<SubscribeUpdate>)[Symbol.asyncIterator]();
          return {
            next: () =>
              it.next().catch((e: unknown) => {
                throw napiError(e);
              }),
            return: async () => (await it.return?.()) ?? { done: true, value: undefined },
          };
        },
        write: (req) =>
          new Promise<void>((resolve, reject) =>
            s.write(req, (e: Error | null | undefined) => (e ? reject(napiError(e)) : resolve())),
          ),
        destroy: () => void s.destroy(),
      };
    },
    close: () => undefined, // the N-API client has no close; its connection ends with the process
  };
}

const GeyserGrpcClient = grpc.makeGenericClientConstructor(
  {
    Subscribe: {
      path: '/geyser.Geyser/Subscribe',
      requestStream: true,
      responseStream: true,
      requestSerialize: (r: SubscribeRequest) => Buffer.from(SubscribeRequest.encode(r).finish()),
      requestDeserialize: (b: Buffer) => SubscribeRequest.decode(b),
      responseSerialize: (u: SubscribeUpdate) => Buffer.from(SubscribeUpdate.encode(u).finish()),
      responseDeserialize: (b: Buffer) => SubscribeUpdate.decode(b),
    },
    SubscribeReplayInfo: {
      path: '/geyser.Geyser/SubscribeReplayInfo',
      requestStream: false,
      responseStream: false,
      requestSerialize: (r: SubscribeReplayInfoRequest) =>
        Buffer.from(SubscribeReplayInfoRequest.encode(r).finish()),
      requestDeserialize: (b: Buffer) => SubscribeReplayInfoRequest.decode(b),
      responseSerialize: (r: SubscribeReplayInfoResponse) =>
        Buffer.from(SubscribeReplayInfoResponse.encode(r).finish()),
      responseDeserialize: (b: Buffer) => SubscribeReplayInfoResponse.decode(b),
    },
  },
  'Geyser',
);

interface GeyserGrpc extends grpc.Client {
  Subscribe(metadata: grpc.Metadata): grpc.ClientDuplexStream<SubscribeRequest, SubscribeUpdate>;
  SubscribeReplayInfo(
    req: SubscribeReplayInfoRequest,
    metadata: grpc.Metadata,
    cb: (e: grpc.ServiceError | null, res?: SubscribeReplayInfoResponse) => void,
  ): grpc.ClientUnaryCall;
}

async function connectGrpcJs(
  endpoint: string,
  xToken: string | undefined,
  caFile: string | undefined,
): Promise<GeyserConnection> {
  const url = new URL(endpoint);
  const tls = url.protocol === 'https:';
  const client = new GeyserGrpcClient(
    `${url.hostname}:${url.port || (tls ? '443' : '80')}`,
    tls
      ? grpc.credentials.createSsl(caFile ? readFileSync(caFile) : undefined)
      : grpc.credentials.createInsecure(),
    { 'grpc.max_receive_message_length': 64 * 1024 * 1024 },
  ) as unknown as GeyserGrpc;
  const metadata = (): grpc.Metadata => {
    const m = new grpc.Metadata();
    if (xToken) m.set('x-token', xToken);
    return m;
  };
  return {
    firstAvailableSlot: () =>
      new Promise<number>((resolve, reject) =>
        client.SubscribeReplayInfo({}, metadata(), (e, res) =>
          e ? reject(e) : resolve(Number(res?.firstAvailable ?? 0)),
        ),
      ),
    subscribe: async () => {
      const call = client.Subscribe(metadata());
      // The iteration surfaces stream errors; this keeps the CANCELLED status that follows
      // destroy() (after the iteration ended) from being an unhandled 'error' event.
      call.on('error', () => undefined);
      return {
        [Symbol.asyncIterator]: () => (call as AsyncIterable<SubscribeUpdate>)[Symbol.asyncIterator](),
        write: (req) =>
          new Promise<void>((resolve, reject) =>
            call.write(req, (e: Error | null | undefined) => (e ? reject(e) : resolve())),
          ),
        destroy: () => call.cancel(),
      };
    },
    close: () => client.close(),
  };
}
