import * as grpc from '@grpc/grpc-js';
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
 */
export type GeyserTransport = 'napi' | 'grpc-js';

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
): Promise<GeyserConnection> {
  return transport === 'grpc-js' ? connectGrpcJs(endpoint, xToken) : connectNapi(endpoint, xToken);
}

async function connectNapi(endpoint: string, xToken: string | undefined): Promise<GeyserConnection> {
  const client = new Client(endpoint, xToken, undefined);
  await client.connect();
  return {
    firstAvailableSlot: async () => Number((await client.subscribeReplayInfo()).firstAvailable ?? 0),
    subscribe: async () => {
      const s = await client.subscribe();
      return {
        [Symbol.asyncIterator]: () => (s as AsyncIterable<SubscribeUpdate>)[Symbol.asyncIterator](),
        write: (req) =>
          new Promise<void>((resolve, reject) =>
            s.write(req, (e: Error | null | undefined) => (e ? reject(e) : resolve())),
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

async function connectGrpcJs(endpoint: string, xToken: string | undefined): Promise<GeyserConnection> {
  const url = new URL(endpoint);
  const tls = url.protocol === 'https:';
  const client = new GeyserGrpcClient(
    `${url.hostname}:${url.port || (tls ? '443' : '80')}`,
    tls ? grpc.credentials.createSsl() : grpc.credentials.createInsecure(),
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
