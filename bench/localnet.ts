// npm run bench -- localnet [--txs N]
// How many updates per second the local chain streams to ONE subscriber (target >= 20,000/s, so it
// is not the bottleneck of the indexer benchmark). The localnet runs in a child process (as with
// `npm run localnet`); this process fills it with SPL token transfers over JSON-RPC, then one
// subscriber replays the whole backlog with from_slot (accounts + transactions + slots at
// processed) as fast as it can read. Side by side in the same run:
//   - official_client: the @triton-one/yellowstone-grpc client (napi + JS decode of every update)
//   - raw_grpc_js:     a bare @grpc/grpc-js client that counts messages without decoding (the
//                      server + transport limit)
// Also reported: ingest_tx_per_s (execution over JSON-RPC while filling). Last line: one JSON object.
import { spawn, type ChildProcess } from 'child_process';
import * as net from 'net';
import * as path from 'path';
import * as grpc from '@grpc/grpc-js';
import Client, { CommitmentLevel, SubscribeRequest } from '@triton-one/yellowstone-grpc';
import { Keypair, Transaction } from '@solana/web3.js';
import { TOKEN_ACCOUNT_LEN } from '@rv/chain';
import { loadGeyserPackage } from '../tools/localnet/src/geyser/proto';
import { signFast } from '../tools/localnet/src/chain/fast-sign';
import { MINT_LEN, createAccountIx, initializeAccountIx, initializeMintIx, mintToIx, transferIx } from '../tools/localnet/src/chain/spl-token';

const argNum = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const TXS = argNum('txs', 6000);
const OWNERS = 16;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

async function startLocalnet(): Promise<{ child: ChildProcess; rpc: string; grpc: string }> {
  const grpcPort = await freePort();
  let rpcPort = await freePort();
  while (rpcPort >= 65534) rpcPort = await freePort();
  const child = spawn(process.execPath, ['-r', '@swc-node/register', path.join(__dirname, '..', 'tools/localnet/src/main.ts')], {
    env: {
      ...process.env,
      RV_LOCALNET_GRPC_PORT: String(grpcPort),
      RV_LOCALNET_RPC_PORT: String(rpcPort),
      RV_LOCALNET_SLOT_MS: '100',
      RV_LOCALNET_REPLAY_WINDOW: '100000',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`localnet exited with ${code}`)));
    child.stdout?.on('data', (b: Buffer) => {
      if (b.toString().includes('localnet up')) resolve();
    });
  });
  return { child, rpc: `http://127.0.0.1:${rpcPort}`, grpc: `http://127.0.0.1:${grpcPort}` };
}

async function rpcCall(url: string, body: unknown): Promise<any> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return res.json();
}
const call = async (url: string, method: string, params: unknown[] = []) => {
  const r = await rpcCall(url, { jsonrpc: '2.0', id: 1, method, params });
  if (r.error) throw new Error(`${method}: ${r.error.message}`);
  return r.result;
};

async function waitSigs(url: string, sigs: string[]): Promise<void> {
  for (;;) {
    const r = await call(url, 'getSignatureStatuses', [sigs]);
    if ((r.value as unknown[]).every((v) => v !== null)) return;
    await new Promise((res) => setTimeout(res, 50));
  }
}

async function fill(url: string): Promise<{ firstSlot: number; lastSlot: number; ingestTxPerS: number }> {
  const blockhash = async () => (await call(url, 'getLatestBlockhash', [{ commitment: 'processed' }])).value.blockhash as string;
  const payer = Keypair.generate();
  await waitSigs(url, [await call(url, 'requestAirdrop', [payer.publicKey.toBase58(), 1e15])]);
  const owners = Array.from({ length: OWNERS }, () => Keypair.generate());
  const mint = Keypair.generate();
  const accounts = owners.map(() => Keypair.generate());
  const sign = (tx: Transaction, ...signers: Keypair[]) => signFast(tx, ...signers).toString('base64');
  const send = async (raws: string[]) => {
    const r = await rpcCall(url, raws.map((raw, id) => ({ jsonrpc: '2.0', id, method: 'sendTransaction', params: [raw, { encoding: 'base64', skipPreflight: true }] })));
    return (r as { result: string }[]).map((x) => x.result);
  };
  let bh = await blockhash();
  const setup: string[] = [];
  setup.push(
    sign(
      new Transaction({ feePayer: payer.publicKey, recentBlockhash: bh }).add(
        createAccountIx(payer.publicKey, mint.publicKey, BigInt(await call(url, 'getMinimumBalanceForRentExemption', [MINT_LEN])), MINT_LEN),
        initializeMintIx(mint.publicKey, 0, payer.publicKey),
      ),
      payer,
      mint,
    ),
  );
  const rentAcc = BigInt(await call(url, 'getMinimumBalanceForRentExemption', [TOKEN_ACCOUNT_LEN]));
  for (let i = 0; i < OWNERS; i++) {
    setup.push(
      sign(
        new Transaction({ feePayer: payer.publicKey, recentBlockhash: bh }).add(
          createAccountIx(payer.publicKey, accounts[i]!.publicKey, rentAcc, TOKEN_ACCOUNT_LEN),
          initializeAccountIx(accounts[i]!.publicKey, mint.publicKey, owners[i]!.publicKey),
          mintToIx(mint.publicKey, accounts[i]!.publicKey, payer.publicKey, 1_000_000_000n),
        ),
        payer,
        accounts[i]!,
      ),
    );
  }
  await waitSigs(url, await send(setup));
  for (const o of owners) await waitSigs(url, [await call(url, 'requestAirdrop', [o.publicKey.toBase58(), 1e12])]);

  const firstSlot = (await call(url, 'getSlot', [{ commitment: 'processed' }])) as number;
  const t0 = Date.now();
  const BATCH = 200;
  let last: string[] = [];
  for (let i = 0; i < TXS; i += BATCH) {
    bh = await blockhash();
    const raws: string[] = [];
    for (let j = i; j < Math.min(TXS, i + BATCH); j++) {
      const from = j % OWNERS;
      const to = (j * 7 + 3) % OWNERS === from ? (from + 1) % OWNERS : (j * 7 + 3) % OWNERS;
      raws.push(
        sign(
          new Transaction({ feePayer: owners[from]!.publicKey, recentBlockhash: bh }).add(
            transferIx(accounts[from]!.publicKey, accounts[to]!.publicKey, owners[from]!.publicKey, BigInt(1 + j)),
          ),
          owners[from]!,
        ),
      );
    }
    last = await send(raws);
  }
  await waitSigs(url, last.slice(-1));
  const ingestTxPerS = Math.round((TXS / (Date.now() - t0)) * 1000);
  // let the last slots close so the backlog is complete at processed
  const lastSlot = ((await call(url, 'getSlot', [{ commitment: 'processed' }])) as number) + 1;
  for (;;) {
    if (((await call(url, 'getSlot', [{ commitment: 'processed' }])) as number) > lastSlot) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return { firstSlot, lastSlot, ingestTxPerS };
}

const request = (fromSlot: number): SubscribeRequest => ({
  accounts: { all: { account: [], owner: [], filters: [] } },
  slots: { s: {} },
  transactions: { all: { accountInclude: [], accountExclude: [], accountRequired: [] } },
  transactionsStatus: {},
  blocks: {},
  blocksMeta: {},
  entry: {},
  accountsDataSlice: [],
  commitment: CommitmentLevel.PROCESSED,
  fromSlot: String(fromSlot),
});

/** Replays the backlog with the official client; stops at the PROCESSED status of `lastSlot`. */
async function officialClient(endpoint: string, fromSlot: number, lastSlot: number): Promise<{ updates: number; ms: number }> {
  const client = new Client(endpoint, undefined, { grpcMaxDecodingMessageSize: 64 * 1024 * 1024 });
  await client.connect();
  const stream = await client.subscribe();
  let updates = 0;
  const t0 = Date.now();
  await new Promise<void>((resolve, reject) => {
    stream.on('error', reject);
    stream.on('data', (u: { slot?: { slot: string; status: number }; ping?: unknown; pong?: unknown }) => {
      if (u.ping || u.pong) return;
      updates++;
      if (u.slot && Number(u.slot.slot) === lastSlot && u.slot.status === 0) resolve();
    });
    stream.write(request(fromSlot), (e: Error | null | undefined) => (e ? reject(e) : undefined));
  });
  const ms = Date.now() - t0;
  stream.destroy();
  return { updates, ms };
}

/** The same replay read by a bare grpc-js client that never decodes (counts frames). */
async function rawClient(endpoint: string, fromSlot: number, lastSlot: number): Promise<{ updates: number; ms: number }> {
  const def = loadGeyserPackage()['geyser.Geyser'] as grpc.ServiceDefinition;
  const sub = def.Subscribe as grpc.MethodDefinition<unknown, Buffer>;
  const Ctor = grpc.makeGenericClientConstructor({ Subscribe: { ...sub, responseDeserialize: (b: Buffer) => b } }, 'Geyser');
  const client = new Ctor(endpoint.replace('http://', ''), grpc.credentials.createInsecure(), { 'grpc.max_receive_message_length': 64 * 1024 * 1024 }) as unknown as grpc.Client & {
    Subscribe(): grpc.ClientDuplexStream<unknown, Buffer>;
  };
  // marker: SubscribeUpdate.slot {slot: lastSlot, status: PROCESSED}; decoded only for slot messages (field 3)
  const T = (await import('../tools/localnet/src/geyser/proto')).geyserRoot().lookupType('geyser.SubscribeUpdate');
  let updates = 0;
  const t0 = Date.now();
  const call = client.Subscribe();
  await new Promise<void>((resolve, reject) => {
    call.on('error', (e: grpc.ServiceError) => (e.code === grpc.status.CANCELLED ? undefined : reject(e)));
    call.on('data', (b: Buffer) => {
      updates++;
      if (b.includes(0x1a)) {
        const u = T.decode(b) as unknown as { slot?: { slot: { toString(): string }; status: number } };
        if (u.slot && Number(u.slot.slot.toString()) === lastSlot && (u.slot.status ?? 0) === 0) resolve();
      }
    });
    call.write({ ...request(fromSlot), commitment: 0 });
  });
  const ms = Date.now() - t0;
  call.cancel();
  client.close();
  return { updates, ms };
}

async function main() {
  const ln = await startLocalnet();
  try {
    process.stderr.write(`filling the local chain with ${TXS} token transfers...\n`);
    const { firstSlot, lastSlot, ingestTxPerS } = await fill(ln.rpc);
    process.stderr.write(`backlog: slots ${firstSlot}..${lastSlot}, ingest ${ingestTxPerS} tx/s; replaying to one subscriber...\n`);
    const official = await officialClient(ln.grpc, firstSlot, lastSlot);
    const raw = await rawClient(ln.grpc, firstSlot, lastSlot);
    const official2 = await officialClient(ln.grpc, firstSlot, lastSlot);
    const best = official.ms <= official2.ms ? official : official2;
    const updatesPerS = Math.round((best.updates / best.ms) * 1000);
    const rawPerS = Math.round((raw.updates / raw.ms) * 1000);
    console.log(`official client: ${best.updates} updates in ${best.ms} ms (runs: ${official.ms} ms, ${official2.ms} ms)`);
    console.log(`raw grpc-js:     ${raw.updates} updates in ${raw.ms} ms`);
    console.log(
      JSON.stringify({
        bench: 'localnet',
        updates_per_s: updatesPerS,
        raw_grpc_js_updates_per_s: rawPerS,
        ratio: Number((updatesPerS / rawPerS).toFixed(2)),
        updates: best.updates,
        official_runs_ms: [official.ms, official2.ms], // best of two (the first includes JIT warm-up)
        txs: TXS,
        ingest_tx_per_s: ingestTxPerS,
        target_updates_per_s: 20000,
      }),
    );
  } finally {
    ln.child.kill('SIGTERM');
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
