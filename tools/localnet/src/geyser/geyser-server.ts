import * as grpc from '@grpc/grpc-js';
import { timingSafeEqual } from 'crypto';
import type { LocalChain } from '../chain/local-chain';
import type { AccountWrite, TxRecord } from '../chain/types';
import {
  CompiledFilters,
  FilterError,
  compileFilters,
  matchAccount,
  matchSlot,
  matchTransaction,
  matchTransactionStatus,
} from './filters';
import { geyserRoot, loadGeyserPackage, SlotStatus, type Commitment } from './proto';
import type { Type } from 'protobufjs';
import {
  LogRecord,
  UpdateLog,
  accountBody,
  accountView,
  blockMetaBody,
  pingBody,
  pongBody,
  slotBody,
  txBody,
  txStatusBody,
  txView,
  withFilters,
} from './update-log';

export interface GeyserOptions {
  /** How many slots back `from_slot` may reach (SubscribeReplayInfo.first_available). */
  replayWindowSlots: number;
  /** Server → client keep-alive ping period. */
  pingIntervalMs: number;
  version: string;
  /**
   * When set, every call must carry this value in its `x-token` metadata (as Triton and Helius
   * LaserStream require); otherwise it ends with UNAUTHENTICATED `No valid auth token`.
   */
  xToken?: string;
}

/** TLS for the gRPC port: PEM certificate chain and private key. */
export interface GrpcTls {
  cert: Buffer;
  key: Buffer;
}

export const DEFAULT_GEYSER_OPTIONS: GeyserOptions = {
  replayWindowSlots: 2000,
  pingIntervalMs: 15_000,
  version: 'rv-localnet',
};

/** What a Yellowstone server (a tonic interceptor) answers to a missing or wrong x-token. */
const NO_AUTH = 'No valid auth token';

let requestType: Type | undefined;
const MAP_FIELDS = [
  'accounts',
  'slots',
  'transactions',
  'transactionsStatus',
  'blocks',
  'blocksMeta',
  'entry',
];

/**
 * SubscribeRequest decoding. Rust (prost) clients omit the value of a map entry whose filter is
 * empty (`slots: { s: {} }` arrives as a key without value), which protobufjs decodes as null;
 * such entries become empty filters, as on a real Yellowstone server.
 */
function decodeSubscribeRequest(b: Buffer): Record<string, any> {
  const T = (requestType ??= geyserRoot().lookupType('geyser.SubscribeRequest'));
  const msg = T.decode(b) as unknown as Record<string, Record<string, unknown> | undefined>;
  for (const f of MAP_FIELDS) {
    const map = msg[f];
    const valueType = T.fields[f]?.resolvedType as Type | null | undefined;
    if (!map || !valueType) continue;
    for (const k of Object.keys(map)) if (map[k] == null) map[k] = valueType.create({});
  }
  return T.toObject(msg as never, {
    longs: String,
    enums: Number,
    bytes: Buffer,
    defaults: true,
    oneofs: true,
  });
}

type Call = grpc.ServerDuplexStream<Record<string, any>, Buffer>;

class Subscription {
  filters: CompiledFilters | undefined;
  cursor = 0;
  fromSlot = 0;
  blocked = false;
  closed = false;
  started = false;
  constructor(readonly call: Call) {}
}

function commitmentOf(v: unknown): Commitment {
  return v === 1 || v === 2 ? v : 0;
}

/** `geyser.Geyser` over @grpc/grpc-js, fed by a LocalChain. */
export class GeyserServer {
  readonly opts: GeyserOptions;
  readonly log: UpdateLog;
  private readonly server = new grpc.Server({
    'grpc.max_send_message_length': 64 * 1024 * 1024,
    'grpc.max_receive_message_length': 64 * 1024 * 1024,
  });
  private readonly subs = new Set<Subscription>();
  private pingTimer: NodeJS.Timeout | undefined;
  private detach: (() => void) | undefined;
  private streamsPaused = false;
  private readonly metaBodies = new Map<number, Buffer>();

  constructor(
    private readonly chain: LocalChain,
    opts: Partial<GeyserOptions> = {},
  ) {
    this.opts = { ...DEFAULT_GEYSER_OPTIONS, ...opts };
    this.log = new UpdateLog(this.opts.replayWindowSlots);
    const def = loadGeyserPackage()['geyser.Geyser'] as grpc.ServiceDefinition;
    const subscribe = def.Subscribe as grpc.MethodDefinition<unknown, unknown>;
    // Updates are encoded once (shared bytes) and written as Buffers.
    const service: grpc.ServiceDefinition = {
      ...def,
      Subscribe: {
        ...subscribe,
        responseSerialize: (b: unknown) => b as Buffer,
        requestDeserialize: decodeSubscribeRequest,
      },
    };
    this.server.addService(service, this.handlers());
  }

  /** Binds the port (TLS when `tls` is given, else plaintext h2c) and starts following the chain. */
  async listen(host: string, port: number, tls?: GrpcTls): Promise<number> {
    const credentials = tls
      ? grpc.ServerCredentials.createSsl(null, [{ cert_chain: tls.cert, private_key: tls.key }], false)
      : grpc.ServerCredentials.createInsecure();
    const bound = await new Promise<number>((resolve, reject) =>
      this.server.bindAsync(`${host}:${port}`, credentials, (err, p) => (err ? reject(err) : resolve(p))),
    );
    this.detach = this.chain.addListener({
      onAccount: (w, level) => this.onAccount(w, level),
      onTransaction: (tx, level) => this.onTx(tx, level),
      onSlot: (slot, parent, status, deadError) => this.onSlot(slot, parent, status, deadError),
      onBlockMeta: (meta, level) => {
        // the three levels share one encoding
        const body = this.metaBodies.get(meta.slot) ?? blockMetaBody(meta);
        this.metaBodies.set(meta.slot, body);
        if (level === 2 || this.metaBodies.size > 256) this.metaBodies.delete(meta.slot);
        this.append({ kind: 'blockMeta', slot: meta.slot, level, body });
      },
    });
    this.pingTimer = setInterval(() => this.pingAll(), this.opts.pingIntervalMs);
    this.pingTimer.unref?.();
    return bound;
  }

  async close(): Promise<void> {
    this.detach?.();
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.dropAllStreams('server shutting down');
    await new Promise<void>((resolve) => {
      this.server.tryShutdown(() => resolve());
      setTimeout(() => {
        this.server.forceShutdown();
        resolve();
      }, 2000).unref();
    });
  }

  // ---- admin ----

  get subscriberCount(): number {
    return this.subs.size;
  }

  /** Ends every open Subscribe stream with UNAVAILABLE (a connection lost mid-flight). */
  dropAllStreams(reason = 'stream dropped by rv_dropStreams'): number {
    const n = this.subs.size;
    for (const s of [...this.subs]) this.fail(s, grpc.status.UNAVAILABLE, reason);
    return n;
  }

  /** Holds delivery to every stream (updates keep accumulating in the log) until resumeStreams(). */
  pauseStreams(): void {
    this.streamsPaused = true;
  }

  resumeStreams(): void {
    this.streamsPaused = false;
    for (const s of this.subs) this.pump(s);
  }

  setReplayWindow(slots: number): void {
    this.log.setWindow(slots);
    this.log.trim(this.chain.processedSlot);
  }

  // ---- chain events → log ----

  private append(r: LogRecord): void {
    this.log.append(r);
    if (this.streamsPaused) return;
    for (const s of this.subs) if (!s.blocked) this.pump(s);
  }

  // Bodies are encoded once, when the update is produced (shared by every subscriber and replay).
  private onAccount(w: AccountWrite, level: Commitment): void {
    accountBody(w, []);
    this.append({ kind: 'account', slot: w.slot, level, view: accountView(w), write: w });
  }

  private onTx(tx: TxRecord, level: Commitment): void {
    txBody(tx);
    this.append({ kind: 'tx', slot: tx.slot, level, view: txView(tx), tx });
  }

  private onSlot(slot: number, parent: number | undefined, status: number, deadError?: string): void {
    this.append({
      kind: 'slot',
      slot,
      parent,
      status,
      deadError,
      body: slotBody(slot, parent, status, deadError),
    });
    if (status === SlotStatus.SLOT_CREATED_BANK) this.log.trim(slot);
  }

  // ---- delivery ----

  private encodeFor(s: Subscription, r: LogRecord): Buffer | undefined {
    const f = s.filters;
    if (!f || r.slot < s.fromSlot) return undefined;
    switch (r.kind) {
      case 'slot': {
        const names = matchSlot(f, r.status);
        return names.length ? withFilters(names, r.body) : undefined;
      }
      case 'blockMeta':
        if (r.level !== f.commitment || f.blocksMeta.length === 0) return undefined;
        return withFilters(f.blocksMeta, r.body);
      case 'account': {
        if (r.level !== f.commitment) return undefined;
        const names = matchAccount(f, r.view);
        return names.length ? withFilters(names, accountBody(r.write, f.dataSlices)) : undefined;
      }
      case 'tx': {
        if (r.level !== f.commitment) return undefined;
        const names = matchTransaction(f, r.view);
        const status = matchTransactionStatus(f, r.view);
        if (names.length && status.length) {
          // one record, two updates: write the status one directly after the full one
          s.call.write(withFilters(status, txStatusBody(r.tx)));
        } else if (status.length) return withFilters(status, txStatusBody(r.tx));
        return names.length ? withFilters(names, txBody(r.tx)) : undefined;
      }
      default:
        return undefined;
    }
  }

  private pump(s: Subscription): void {
    if (s.closed || s.blocked || !s.started || this.streamsPaused) return;
    if (s.cursor < this.log.start) {
      this.fail(s, grpc.status.DATA_LOSS, 'subscriber fell behind the replay window');
      return;
    }
    const end = this.log.end;
    while (s.cursor < end) {
      const r = this.log.at(s.cursor++) as LogRecord;
      const bytes = this.encodeFor(s, r);
      if (bytes && !s.call.write(bytes)) {
        s.blocked = true;
        s.call.once('drain', () => {
          s.blocked = false;
          this.pump(s);
        });
        return;
      }
    }
  }

  private pingAll(): void {
    const b = pingBody();
    for (const s of this.subs) if (s.started && !s.closed) s.call.write(b);
  }

  private fail(s: Subscription, code: grpc.status, details: string): void {
    if (s.closed) return;
    s.closed = true;
    this.subs.delete(s);
    s.call.emit('error', { code, details, metadata: new grpc.Metadata() });
  }

  // ---- handlers ----

  /** Whether the call carries the configured x-token (always, when none is configured). */
  private authorized(metadata: grpc.Metadata): boolean {
    const want = this.opts.xToken;
    if (want === undefined) return true;
    const got = metadata.get('x-token');
    if (got.length !== 1) return false;
    const a = Buffer.from(String(got[0]));
    const b = Buffer.from(want);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  private handlers(): grpc.UntypedServiceImplementation {
    const unary =
      <Req, Res>(fn: (req: Req) => Res) =>
      (call: grpc.ServerUnaryCall<Req, Res>, cb: grpc.sendUnaryData<Res>) => {
        if (!this.authorized(call.metadata)) {
          cb({ code: grpc.status.UNAUTHENTICATED, details: NO_AUTH });
          return;
        }
        try {
          cb(null, fn(call.request));
        } catch (e) {
          cb({ code: grpc.status.INTERNAL, details: (e as Error).message });
        }
      };
    return {
      Subscribe: (call: Call) => this.subscribe(call),
      SubscribeReplayInfo: unary(() => ({ firstAvailable: String(this.log.firstAvailable) })),
      Ping: unary((req: { count?: number }) => ({ count: req.count ?? 0 })),
      GetLatestBlockhash: unary((req: { commitment?: number }) => {
        const b = this.chain.latestBlockhash(commitmentOf(req.commitment));
        return {
          slot: String(b.slot),
          blockhash: b.blockhash,
          lastValidBlockHeight: String(b.lastValidBlockHeight),
        };
      }),
      GetBlockHeight: unary((req: { commitment?: number }) => ({
        blockHeight: String(this.chain.blockHeight(commitmentOf(req.commitment))),
      })),
      GetSlot: unary((req: { commitment?: number }) => ({
        slot: String(this.chain.slotAt(commitmentOf(req.commitment))),
      })),
      IsBlockhashValid: unary((req: { blockhash: string }) => ({
        slot: String(this.chain.processedSlot),
        valid: this.chain.isBlockhashValid(req.blockhash),
      })),
      GetVersion: unary(() => ({
        version: JSON.stringify({
          version: { package: 'rv-localnet', version: this.opts.version, proto: '7.0.1' },
        }),
      })),
    };
  }

  private subscribe(call: Call): void {
    if (!this.authorized(call.metadata)) {
      call.emit('error', {
        code: grpc.status.UNAUTHENTICATED,
        details: NO_AUTH,
        metadata: new grpc.Metadata(),
      });
      return;
    }
    const s = new Subscription(call);
    this.subs.add(s);
    // Response headers now: Rust (tonic) clients, like the official napi client, wait for them
    // before subscribe() resolves; grpc-js would otherwise send them with the first message.
    call.sendMetadata(new grpc.Metadata());
    const gone = () => {
      s.closed = true;
      this.subs.delete(s);
    };
    call.on('cancelled', gone);
    call.on('close', gone);
    call.on('error', gone);
    call.on('end', () => {
      if (!s.closed) call.end();
      gone();
    });
    call.on('data', (req: Record<string, any>) => {
      if (s.closed) return;
      if (req.ping) {
        call.write(pongBody(Number(req.ping.id ?? 0)));
        return;
      }
      let filters: CompiledFilters;
      try {
        filters = compileFilters(req);
      } catch (e) {
        if (e instanceof FilterError) return this.fail(s, grpc.status.INVALID_ARGUMENT, e.message);
        return this.fail(s, grpc.status.INTERNAL, (e as Error).message);
      }
      // from_slot (re)positions the stream on any request that carries it, as upstream does; the
      // official client opens the stream with an empty request and sends the real one after.
      if (req.fromSlot !== undefined && req.fromSlot !== null) {
        const from = Number(req.fromSlot);
        if (from < this.log.firstAvailable) {
          return this.fail(
            s,
            grpc.status.INVALID_ARGUMENT,
            `broadcast from ${from} is not available, last available: ${this.log.firstAvailable}`,
          );
        }
        s.fromSlot = from;
        s.cursor = this.log.indexOfSlot(from);
      } else if (!s.started) {
        s.cursor = this.log.end;
      }
      s.started = true;
      s.filters = filters;
      this.pump(s);
    });
  }
}
