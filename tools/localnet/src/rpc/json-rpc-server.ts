import * as http from 'http';
import { PublicKey } from '@solana/web3.js';
import bs58 from 'bs58';
import { WebSocketServer, WebSocket } from 'ws';
import { RpcError, type LocalChain } from '../chain/local-chain';
import type { TxRecord } from '../chain/types';
import type { Commitment } from '../geyser/proto';
import type { GeyserServer } from '../geyser/geyser-server';

/**
 * The slice of Solana JSON-RPC the services and @solana/web3.js Connection use, plus a minimal
 * pubsub WebSocket (signatureSubscribe, slotSubscribe) on port + 1 — Connection.confirmTransaction
 * waits for a signature subscription. Admin methods (rv_*) drive forks, stream drops and the clock.
 */
export interface JsonRpcOptions {
  /** Allow requestAirdrop (never expose this server beyond localhost). */
  allowAirdrop: boolean;
}

type Params = unknown[];
type Handler = (params: Params) => unknown;

const COMMITMENTS: Record<string, Commitment> = {
  processed: 0,
  confirmed: 1,
  finalized: 2,
  recent: 0,
  single: 1,
  max: 2,
};

function commitmentOf(cfg: unknown, fallback: Commitment = 2): Commitment {
  const c = (cfg as { commitment?: string } | undefined)?.commitment;
  return c && c in COMMITMENTS ? (COMMITMENTS[c] as Commitment) : fallback;
}

function pubkeyParam(v: unknown, what = 'pubkey'): PublicKey {
  try {
    return new PublicKey(v as string);
  } catch {
    throw new RpcError(-32602, `Invalid param: invalid ${what}`);
  }
}

function slotParam(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)
    throw new RpcError(-32602, `Invalid params: ${what} must be a slot number`);
  return v;
}

/** getBlocks answers at most this many slots at once (as a validator: MAX_GET_CONFIRMED_BLOCKS_RANGE). */
const MAX_GET_BLOCKS_RANGE = 500_000;

const statusName = (s: string | undefined) => (s === 'open' ? 'processed' : s);

export class JsonRpcServer {
  private readonly http: http.Server;
  private wss: WebSocketServer | undefined;
  private wsHttp: http.Server | undefined;
  private readonly methods: Record<string, Handler>;
  private nextSubId = 1;
  private detach: (() => void) | undefined;
  private readonly sigSubs = new Map<number, { ws: WebSocket; signature: string; level: Commitment }>();
  private readonly slotSubs = new Map<number, WebSocket>();

  constructor(
    private readonly chain: LocalChain,
    private readonly geyser: GeyserServer | undefined,
    private readonly opts: JsonRpcOptions = { allowAirdrop: true },
  ) {
    this.methods = this.buildMethods();
    this.http = http.createServer((req, res) => this.onRequest(req, res));
    this.http.keepAliveTimeout = 5000;
  }

  async listen(host: string, port: number, wsPort = port + 1): Promise<{ port: number; wsPort: number }> {
    const p = await new Promise<number>((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(port, host, () => resolve((this.http.address() as { port: number }).port));
    });
    this.wsHttp = http.createServer((_req, res) => res.writeHead(426).end());
    this.wss = new WebSocketServer({ server: this.wsHttp });
    this.wss.on('connection', (ws) => this.onSocket(ws));
    const wp = await new Promise<number>((resolve, reject) => {
      const srv = this.wsHttp as http.Server;
      srv.once('error', reject);
      srv.listen(port === 0 && wsPort === 1 ? 0 : wsPort, host, () =>
        resolve((srv.address() as { port: number }).port),
      );
    });
    this.detach = this.chain.addListener({
      onTransaction: (tx, level) => this.notifySignature(tx, level),
      onSlot: (slot, parent, status) => {
        if (status !== 0) return;
        for (const [id, ws] of this.slotSubs) {
          this.send(ws, {
            jsonrpc: '2.0',
            method: 'slotNotification',
            params: { result: { slot, parent: parent ?? 0, root: this.chain.slotAt(2) }, subscription: id },
          });
        }
      },
    });
    return { port: p, wsPort: wp };
  }

  async close(): Promise<void> {
    this.detach?.();
    for (const c of this.wss?.clients ?? []) c.terminate();
    await new Promise<void>((r) => (this.wss ? this.wss.close(() => r()) : r()));
    this.http.closeAllConnections?.();
    await new Promise<void>((r) => this.http.close(() => r()));
    this.wsHttp?.closeAllConnections?.();
    await new Promise<void>((r) => (this.wsHttp ? this.wsHttp.close(() => r()) : r()));
  }

  /** Calls a method in-process (the same code path as HTTP). */
  call(method: string, params: Params = []): unknown {
    const h = this.methods[method];
    if (!h) throw new RpcError(-32601, `Method not found: ${method}`);
    return h(params);
  }

  // ---- HTTP ----

  private onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    if (req.method === 'GET' && req.url === '/health') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      return;
    }
    if (req.method !== 'POST') {
      res.writeHead(405).end();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > 10 * 1024 * 1024) req.destroy();
      else chunks.push(c);
    });
    req.on('end', () => {
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        this.reply(res, { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } });
        return;
      }
      const out = Array.isArray(body) ? body.map((b) => this.dispatch(b)) : this.dispatch(body);
      this.reply(res, out);
    });
  }

  private reply(res: http.ServerResponse, body: unknown): void {
    const s = JSON.stringify(body, (_k, v) => (typeof v === 'bigint' ? Number(v) : v));
    res.writeHead(200, { 'content-type': 'application/json' }).end(s);
  }

  private dispatch(msg: unknown): unknown {
    const m = msg as { id?: unknown; method?: unknown; params?: unknown };
    const id = m?.id ?? null;
    if (typeof m?.method !== 'string')
      return { jsonrpc: '2.0', id, error: { code: -32600, message: 'Invalid request' } };
    try {
      const result = this.call(m.method, Array.isArray(m.params) ? m.params : []);
      return { jsonrpc: '2.0', id, result };
    } catch (e) {
      if (e instanceof RpcError) {
        return {
          jsonrpc: '2.0',
          id,
          error: { code: e.code, message: e.message, ...(e.data !== undefined ? { data: e.data } : {}) },
        };
      }
      return {
        jsonrpc: '2.0',
        id,
        error: { code: -32603, message: `Internal error: ${(e as Error).message}` },
      };
    }
  }

  // ---- WebSocket pubsub ----

  private onSocket(ws: WebSocket): void {
    ws.on('message', (raw) => {
      let msg: { id?: unknown; method?: string; params?: unknown[] };
      try {
        msg = JSON.parse(String(raw));
      } catch {
        return;
      }
      const id = msg.id ?? null;
      const params = Array.isArray(msg.params) ? msg.params : [];
      switch (msg.method ?? '') {
        case 'signatureSubscribe': {
          const sub = this.nextSubId++;
          const signature = String(params[0]);
          const level = commitmentOf(params[1]);
          this.sigSubs.set(sub, { ws, signature, level });
          this.send(ws, { jsonrpc: '2.0', id, result: sub });
          const tx = this.chain.getTransaction(signature);
          if (tx && this.reached(tx, level)) this.notifySignature(tx, level);
          return;
        }
        case 'slotSubscribe': {
          const sub = this.nextSubId++;
          this.slotSubs.set(sub, ws);
          this.send(ws, { jsonrpc: '2.0', id, result: sub });
          return;
        }
        case 'signatureUnsubscribe':
          this.send(ws, { jsonrpc: '2.0', id, result: this.sigSubs.delete(Number(params[0])) });
          return;
        case 'slotUnsubscribe':
          this.send(ws, { jsonrpc: '2.0', id, result: this.slotSubs.delete(Number(params[0])) });
          return;
        default:
          this.send(ws, {
            jsonrpc: '2.0',
            id,
            error: { code: -32601, message: `Method not found: ${msg.method}` },
          });
      }
    });
    ws.on('close', () => {
      for (const [id, s] of this.sigSubs) if (s.ws === ws) this.sigSubs.delete(id);
      for (const [id, s] of this.slotSubs) if (s === ws) this.slotSubs.delete(id);
    });
  }

  private send(ws: WebSocket, msg: unknown): void {
    if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(msg));
  }

  private reached(tx: TxRecord, level: Commitment): boolean {
    const st = this.chain.slotStatus(tx.slot);
    if (level === 0) return true;
    if (level === 1) return st === 'confirmed' || st === 'finalized';
    return st === 'finalized';
  }

  private notifySignature(tx: TxRecord, level: Commitment): void {
    for (const [id, s] of this.sigSubs) {
      if (s.signature !== tx.signature || s.level !== level) continue;
      this.sigSubs.delete(id); // signature subscriptions are one-shot
      this.send(s.ws, {
        jsonrpc: '2.0',
        method: 'signatureNotification',
        params: {
          result: { context: { slot: tx.slot }, value: { err: tx.err?.json ?? null } },
          subscription: id,
        },
      });
    }
  }

  // ---- methods ----

  private buildMethods(): Record<string, Handler> {
    const chain = this.chain;
    const ctx = (slot = chain.processedSlot) => ({ apiVersion: '2.2.0', slot });
    const encodeData = (data: Uint8Array, enc: string | undefined) =>
      enc === 'base58' ? [bs58.encode(data), 'base58'] : [Buffer.from(data).toString('base64'), 'base64'];
    const accountJson = (pubkey: string, enc: string | undefined) => {
      const a = chain.getAccount(pubkey);
      if (!a) return null;
      return {
        lamports: Number(a.lamports),
        owner: a.owner,
        executable: a.executable,
        rentEpoch: Number.MAX_SAFE_INTEGER, // u64::MAX on a real node; JSON numbers cannot carry it
        space: a.data.length,
        data: encodeData(a.data, enc),
      };
    };
    const txJson = (tx: TxRecord, encoding: string | undefined) => {
      const m = tx.message;
      const tokenBal = (b: TxRecord['preTokenBalances'][number]) => {
        const ui = Number(b.amount) / 10 ** b.decimals;
        return {
          accountIndex: b.accountIndex,
          mint: b.mint,
          owner: b.owner,
          programId: b.programId,
          uiTokenAmount: {
            amount: b.amount.toString(),
            decimals: b.decimals,
            uiAmount: ui,
            uiAmountString: String(ui),
          },
        };
      };
      const transaction =
        encoding === 'base64'
          ? [Buffer.from(tx.raw).toString('base64'), 'base64']
          : {
              signatures: tx.signatures.map((s) => bs58.encode(s)),
              message: {
                header: m.header,
                accountKeys: m.accountKeys,
                recentBlockhash: m.recentBlockhash,
                instructions: m.instructions.map((ix) => ({
                  programIdIndex: ix.programIdIndex,
                  accounts: ix.accounts,
                  data: bs58.encode(ix.data),
                  stackHeight: null,
                })),
                ...(m.versioned ? { addressTableLookups: [] } : {}),
              },
            };
      return {
        slot: tx.slot,
        blockTime: tx.blockTime,
        version: m.versioned ? 0 : 'legacy',
        transaction,
        meta: {
          err: tx.err?.json ?? null,
          status: tx.err ? { Err: tx.err.json } : { Ok: null },
          fee: Number(tx.fee),
          preBalances: tx.preBalances.map(Number),
          postBalances: tx.postBalances.map(Number),
          innerInstructions: [],
          logMessages: tx.logs,
          preTokenBalances: tx.preTokenBalances.map(tokenBal),
          postTokenBalances: tx.postTokenBalances.map(tokenBal),
          rewards: [],
          loadedAddresses: { writable: [], readonly: [] },
          computeUnitsConsumed: Number(tx.computeUnits),
        },
      };
    };
    const decodeTx = (data: unknown, enc: string | undefined): Uint8Array => {
      if (typeof data !== 'string')
        throw new RpcError(-32602, 'Invalid params: transaction must be a string');
      try {
        return enc === 'base64' ? Uint8Array.from(Buffer.from(data, 'base64')) : bs58.decode(data);
      } catch {
        throw new RpcError(-32602, `Invalid params: transaction is not valid ${enc ?? 'base58'}`);
      }
    };
    const admin = () => {
      if (!this.geyser) throw new RpcError(-32601, 'no gRPC server attached');
      return this.geyser;
    };

    return {
      getHealth: () => 'ok',
      getVersion: () => ({ 'solana-core': '2.2.0', 'feature-set': 0 }),
      getGenesisHash: () => bs58.encode(Buffer.alloc(32, 7)),
      getSlot: (p) => chain.slotAt(commitmentOf(p[0])),
      getBlockHeight: (p) => chain.blockHeight(commitmentOf(p[0])),
      getEpochInfo: (p) => {
        const slot = chain.slotAt(commitmentOf(p[0]));
        return {
          absoluteSlot: slot,
          blockHeight: slot,
          epoch: 0,
          slotIndex: slot,
          slotsInEpoch: 432000,
          transactionCount: null,
        };
      },
      getLatestBlockhash: (p) => {
        const b = chain.latestBlockhash(commitmentOf(p[0]));
        return {
          context: ctx(b.slot),
          value: { blockhash: b.blockhash, lastValidBlockHeight: b.lastValidBlockHeight },
        };
      },
      isBlockhashValid: (p) => ({ context: ctx(), value: chain.isBlockhashValid(String(p[0])) }),
      getBalance: (p) => ({
        context: ctx(),
        value: Number(chain.getAccount(pubkeyParam(p[0]).toBase58())?.lamports ?? 0n),
      }),
      getMinimumBalanceForRentExemption: (p) => Number(chain.bank.rentExempt(Number(p[0] ?? 0))),
      getAccountInfo: (p) => {
        const cfg = p[1] as { encoding?: string } | undefined;
        return { context: ctx(), value: accountJson(pubkeyParam(p[0]).toBase58(), cfg?.encoding) };
      },
      getMultipleAccounts: (p) => {
        const cfg = p[1] as { encoding?: string } | undefined;
        const keys = (p[0] as unknown[]) ?? [];
        return {
          context: ctx(),
          value: keys.map((k) => accountJson(pubkeyParam(k).toBase58(), cfg?.encoding)),
        };
      },
      getProgramAccounts: (p) => {
        const program = pubkeyParam(p[0], 'program id').toBase58();
        const cfg = (p[1] ?? {}) as {
          encoding?: string;
          withContext?: boolean;
          filters?: { memcmp?: { offset: number; bytes: string; encoding?: string }; dataSize?: number }[];
        };
        const filters = (cfg.filters ?? []).map((f) => {
          if (f.dataSize !== undefined) return (d: Uint8Array) => d.length === Number(f.dataSize);
          if (f.memcmp) {
            const m = f.memcmp;
            const bytes =
              m.encoding === 'base64' ? Buffer.from(m.bytes, 'base64') : Buffer.from(bs58.decode(m.bytes));
            return (d: Uint8Array) =>
              Buffer.from(d.subarray(m.offset, m.offset + bytes.length)).equals(bytes);
          }
          throw new RpcError(-32602, 'Invalid params: unsupported filter');
        });
        const value = chain.bank.svm
          .getProgramAccounts(program as never)
          .filter((a) => BigInt(a.lamports) > 0n && filters.every((f) => f(a.data as Uint8Array)))
          .map((a) => ({
            pubkey: a.address as string,
            account: accountJson(a.address as string, cfg.encoding),
          }));
        return cfg.withContext ? { context: ctx(), value } : value;
      },
      sendTransaction: (p) => {
        const cfg = (p[1] ?? {}) as { encoding?: string; skipPreflight?: boolean };
        return chain.submit(decodeTx(p[0], cfg.encoding), cfg.skipPreflight === true);
      },
      getSignatureStatuses: (p) => {
        const sigs = (p[0] as unknown[]) ?? [];
        if (sigs.length > 256) throw new RpcError(-32602, 'Too many inputs provided; max 256');
        return {
          context: ctx(),
          value: sigs.map((s) => {
            const tx = chain.getTransaction(String(s));
            if (!tx) return null;
            const st = statusName(chain.slotStatus(tx.slot));
            return {
              slot: tx.slot,
              confirmations: st === 'finalized' ? null : chain.processedSlot - tx.slot,
              err: tx.err?.json ?? null,
              status: tx.err ? { Err: tx.err.json } : { Ok: null },
              confirmationStatus: st,
            };
          }),
        };
      },
      getTransaction: (p) => {
        const cfg = (typeof p[1] === 'string' ? { encoding: p[1] } : (p[1] ?? {})) as {
          encoding?: string;
          commitment?: string;
        };
        const tx = chain.getTransaction(String(p[0]));
        if (!tx) return null;
        const need = commitmentOf(cfg, 2);
        const st = chain.slotStatus(tx.slot);
        if (need === 2 && st !== 'finalized') return null;
        if (need === 1 && st !== 'confirmed' && st !== 'finalized') return null;
        return txJson(tx, cfg.encoding);
      },
      getSignaturesForAddress: (p) => {
        const cfg = (p[1] ?? {}) as { limit?: number; before?: string; until?: string; commitment?: string };
        const addr = pubkeyParam(p[0], 'address').toBase58();
        const need = commitmentOf(cfg, 2);
        const limit = Math.min(Math.max(Number(cfg.limit ?? 1000), 1), 1000);
        return chain
          .signaturesForAddress(addr, 100_000, cfg.before, cfg.until)
          .filter((tx) => {
            const st = chain.slotStatus(tx.slot);
            return need === 0 || (need === 1 ? st === 'confirmed' || st === 'finalized' : st === 'finalized');
          })
          .slice(0, limit)
          .map((tx) => ({
            signature: tx.signature,
            slot: tx.slot,
            err: tx.err?.json ?? null,
            memo: null,
            blockTime: tx.blockTime,
            confirmationStatus: statusName(chain.slotStatus(tx.slot)),
          }));
      },
      // Confirmed blocks in [start, end] (end default: the newest slot of the commitment; at most
      // 500,000 slots): dead slots are absent, as on a validator (rooted slots + the confirmed
      // bank's ancestors). The second parameter may be the config when there is no end slot.
      getBlocks: (p) => {
        const start = slotParam(p[0], 'start slot');
        const cfg = (typeof p[1] === 'object' && p[1] !== null ? p[1] : p[2]) as unknown;
        const need = commitmentOf(cfg, 2);
        if (need === 0) throw new RpcError(-32602, 'Method does not support commitment below `confirmed`');
        const end = typeof p[1] === 'number' ? slotParam(p[1], 'end slot') : start + MAX_GET_BLOCKS_RANGE;
        if (end - start > MAX_GET_BLOCKS_RANGE)
          throw new RpcError(-32602, `Slot range too large; max ${MAX_GET_BLOCKS_RANGE}`);
        return chain.blocks(start, end, need);
      },
      requestAirdrop: (p) => {
        if (!this.opts.allowAirdrop) throw new RpcError(-32601, 'requestAirdrop is disabled');
        const lamports = BigInt(Math.floor(Number(p[1] ?? 0)));
        if (lamports <= 0n) throw new RpcError(-32602, 'Invalid params: lamports must be positive');
        return chain.airdrop(pubkeyParam(p[0]), lamports);
      },
      // ---- admin (local only) ----
      rv_killSlot: (p) => chain.killSlot(p[0] === undefined || p[0] === null ? undefined : Number(p[0])),
      rv_dropStreams: () => ({ dropped: admin().dropAllStreams() }),
      rv_pause: () => {
        chain.pause();
        return { paused: true, slot: chain.processedSlot };
      },
      rv_resume: () => {
        chain.resume();
        return { paused: false, slot: chain.processedSlot };
      },
      rv_pauseStreams: () => {
        admin().pauseStreams();
        return true;
      },
      rv_resumeStreams: () => {
        admin().resumeStreams();
        return true;
      },
      rv_advanceSlots: (p) => ({ slot: chain.advance(Math.max(1, Number(p[0] ?? 1))) }),
      rv_setReplayWindow: (p) => {
        const n = Number(p[0]);
        if (!Number.isInteger(n) || n < 0)
          throw new RpcError(-32602, 'Invalid params: window must be a non-negative integer of slots');
        admin().setReplayWindow(n);
        return { window: n, firstAvailable: admin().log.firstAvailable };
      },
      rv_status: () => ({
        processed: chain.slotAt(0),
        confirmed: chain.slotAt(1),
        finalized: chain.slotAt(2),
        paused: chain.isPaused(),
        subscribers: this.geyser?.subscriberCount ?? 0,
        replayWindow: this.geyser?.log.window ?? null,
        firstAvailable: this.geyser?.log.firstAvailable ?? null,
      }),
    };
  }
}
