// npm run bench -- localnet [--txs N] [--runs R]
// How many updates per second the local chain streams to ONE subscriber (target >= 20,000/s, so it
// is not the bottleneck of the indexer benchmark). The localnet runs in a child process (as with
// `npm run localnet`); this process fills it with SPL token transfers over JSON-RPC, then one
// subscriber replays the whole backlog with from_slot (accounts + transactions + slots at
// processed) as fast as it can read. Side by side in the same run:
//   - official_client: the @triton-one/yellowstone-grpc client (napi + JS decode of every update)
//   - raw_grpc_js:     a bare @grpc/grpc-js client that counts messages without decoding (the
//                      server + transport limit)
// Also reported: ingest_tx_per_s (execution over JSON-RPC while filling). Last line: one JSON object.
import * as grpc from '@grpc/grpc-js';
import Client, { CommitmentLevel, SubscribeRequest } from '@triton-one/yellowstone-grpc';
import { loadGeyserPackage } from '../tools/localnet/src/geyser/proto';
import { fillWithTransfers, spawnLocalnet } from '../tools/localnet/src';

const argNum = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const TXS = argNum('txs', 6000);
const RUNS = argNum('runs', 3);

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
async function officialClient(
  endpoint: string,
  fromSlot: number,
  lastSlot: number,
): Promise<{ updates: number; ms: number }> {
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
async function rawClient(
  endpoint: string,
  fromSlot: number,
  lastSlot: number,
): Promise<{ updates: number; ms: number }> {
  const def = loadGeyserPackage()['geyser.Geyser'] as grpc.ServiceDefinition;
  const sub = def.Subscribe as grpc.MethodDefinition<unknown, Buffer>;
  const Ctor = grpc.makeGenericClientConstructor(
    { Subscribe: { ...sub, responseDeserialize: (b: Buffer) => b } },
    'Geyser',
  );
  const client = new Ctor(endpoint.replace('http://', ''), grpc.credentials.createInsecure(), {
    'grpc.max_receive_message_length': 64 * 1024 * 1024,
  }) as unknown as grpc.Client & {
    Subscribe(): grpc.ClientDuplexStream<unknown, Buffer>;
  };
  // marker: SubscribeUpdate.slot {slot: lastSlot, status: PROCESSED}; decoded only for slot messages (field 3)
  const T = (await import('../tools/localnet/src/geyser/proto'))
    .geyserRoot()
    .lookupType('geyser.SubscribeUpdate');
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
  const ln = await spawnLocalnet({ RV_LOCALNET_SLOT_MS: '100', RV_LOCALNET_REPLAY_WINDOW: '100000' });
  try {
    process.stderr.write(`filling the local chain with ${TXS} token transfers...\n`);
    const { firstSlot, lastSlot, ingestTxPerS } = await fillWithTransfers(ln.rpc, TXS);
    process.stderr.write(
      `backlog: slots ${firstSlot}..${lastSlot}, ingest ${ingestTxPerS} tx/s; replaying to one subscriber...\n`,
    );
    // interleaved runs; the figure is the median (machines here are shared and noisy)
    const officialRuns: { updates: number; ms: number }[] = [];
    const rawRuns: { updates: number; ms: number }[] = [];
    for (let i = 0; i < RUNS; i++) {
      officialRuns.push(await officialClient(ln.grpc, firstSlot, lastSlot));
      rawRuns.push(await rawClient(ln.grpc, firstSlot, lastSlot));
    }
    const rate = (r: { updates: number; ms: number }) => Math.round((r.updates / r.ms) * 1000);
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
    const updatesPerS = median(officialRuns.map(rate));
    const rawPerS = median(rawRuns.map(rate));
    const updates = officialRuns[0]!.updates;
    console.log(
      `official client: ${updates} updates per replay, runs ${officialRuns.map((r) => `${r.ms} ms`).join(', ')}`,
    );
    console.log(
      `raw grpc-js:     ${rawRuns[0]!.updates} updates per replay, runs ${rawRuns.map((r) => `${r.ms} ms`).join(', ')}`,
    );
    console.log(
      JSON.stringify({
        bench: 'localnet',
        updates_per_s: updatesPerS,
        raw_grpc_js_updates_per_s: rawPerS,
        ratio: Number((updatesPerS / rawPerS).toFixed(2)),
        official_runs_per_s: officialRuns.map(rate),
        raw_runs_per_s: rawRuns.map(rate),
        updates,
        txs: TXS,
        ingest_tx_per_s: ingestTxPerS,
        target_updates_per_s: 20000,
      }),
    );
  } finally {
    ln.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
