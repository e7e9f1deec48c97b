import Client, {
  CommitmentLevel,
  CompressedAccountFilterSet,
  SlotStatus,
  SubscribeUpdate,
  txErrDecode,
} from '@triton-one/yellowstone-grpc';
import { Connection, Keypair, PublicKey, SystemProgram, Transaction } from '@solana/web3.js';
import bs58 from 'bs58';
import {
  decodeTokenAccount,
  TOKEN_ACCOUNT_LEN,
  TOKEN_ACCOUNT_MINT_OFFSET,
  TOKEN_PROGRAM_ID,
} from '@rv/chain';
import * as grpc from '@grpc/grpc-js';
import { Localnet } from '../src/localnet';
import { loadGeyserPackage } from '../src/geyser/proto';
import {
  MINT_LEN,
  createAccountIx,
  initializeAccountIx,
  initializeMintIx,
  mintToIx,
  transferIx,
} from '../src/chain/spl-token';
import { Collector, emptyRequest, funded, send, until, updateKey } from './helpers';

// Manual clock (slotMs 0): the test produces slots with chain.advance(), so every status is deterministic.
describe('localnet geyser (official @triton-one/yellowstone-grpc client)', () => {
  let ln: Localnet;
  const open: Collector[] = [];
  const collector = async (req: Parameters<typeof Collector.open>[1], sync = true) => {
    const c = await Collector.open(ln.grpcEndpoint, req, sync);
    open.push(c);
    return c;
  };

  beforeEach(async () => {
    ln = await Localnet.start({
      grpcPort: 0,
      rpcPort: 0,
      chain: { slotMs: 0, confirmDepth: 1, finalizeDepth: 3 },
      geyser: { replayWindowSlots: 20 },
    });
  });
  afterEach(async () => {
    for (const c of open.splice(0)) c.close();
    await ln.stop();
  });

  function createMint(payer: Keypair, decimals = 0): PublicKey {
    const mint = Keypair.generate();
    send(
      ln,
      [
        createAccountIx(payer.publicKey, mint.publicKey, ln.chain.bank.rentExempt(MINT_LEN), MINT_LEN),
        initializeMintIx(mint.publicKey, decimals, payer.publicKey),
      ],
      [payer, mint],
    );
    return mint.publicKey;
  }

  function createTokenAccount(payer: Keypair, mint: PublicKey, owner: PublicKey): PublicKey {
    const acc = Keypair.generate();
    send(
      ln,
      [
        createAccountIx(
          payer.publicKey,
          acc.publicKey,
          ln.chain.bank.rentExempt(TOKEN_ACCOUNT_LEN),
          TOKEN_ACCOUNT_LEN,
        ),
        initializeAccountIx(acc.publicKey, mint, owner),
      ],
      [payer, acc],
    );
    return acc.publicKey;
  }

  it('answers the unary methods', async () => {
    ln.chain.advance(5);
    const client = new Client(ln.grpcEndpoint, undefined, undefined);
    await client.connect();
    expect(Number((await client.getSlot(CommitmentLevel.PROCESSED)).slot)).toBe(6);
    expect(Number((await client.getSlot(CommitmentLevel.CONFIRMED)).slot)).toBe(4);
    expect(Number((await client.getSlot(CommitmentLevel.FINALIZED)).slot)).toBe(2);
    const bh = await client.getLatestBlockhash(CommitmentLevel.CONFIRMED);
    expect(Number(bh.slot)).toBe(4);
    expect((await client.isBlockhashValid(bh.blockhash)).valid).toBe(true);
    expect((await client.isBlockhashValid(bs58.encode(Buffer.alloc(32, 1)))).valid).toBe(false);
    expect(Number((await client.getBlockHeight(CommitmentLevel.PROCESSED)).blockHeight)).toBeGreaterThan(0);
    expect((await client.ping(7)).count).toBe(7);
    expect(JSON.parse((await client.getVersion()).version).version.package).toBe('rv-localnet');
    expect((await client.subscribeReplayInfo()).firstAvailable).toBe('1');
  });

  it('streams slot statuses processed -> confirmed -> finalized, and pong for ping', async () => {
    const c = await collector({ ...emptyRequest(), slots: { s: {} } });
    const first = ln.chain.processedSlot;
    ln.chain.advance(4);
    await c.waitFor(
      (u) => u.slot?.slot === String(first) && u.slot.status === SlotStatus.SLOT_FINALIZED,
      'finalized',
    );
    const statuses = c.updates.filter((u) => u.slot?.slot === String(first)).map((u) => u.slot?.status);
    expect(statuses).toEqual([
      SlotStatus.SLOT_PROCESSED,
      SlotStatus.SLOT_CONFIRMED,
      SlotStatus.SLOT_FINALIZED,
    ]);
    expect(c.updates.every((u) => u.filters.includes('s'))).toBe(true);

    await c.write({ ...emptyRequest(), slots: { s: {} }, ping: { id: 42 } });
    await c.waitFor((u) => u.pong?.id === 42, 'pong');
    // a ping request does not replace the filters
    const before = c.updates.length;
    ln.chain.advance(1);
    await until(() => c.updates.length > before, 'slot after ping');
  });

  it('streams token account updates with real data, filtered by owner + mint memcmp + datasize, at confirmed', async () => {
    const payer = funded(ln);
    const mintA = createMint(payer);
    const mintB = createMint(payer);
    ln.chain.advance(1);
    const c = await collector({
      ...emptyRequest(),
      commitment: CommitmentLevel.CONFIRMED,
      accounts: {
        holdings: {
          account: [],
          owner: [TOKEN_PROGRAM_ID.toBase58()],
          filters: [
            { datasize: String(TOKEN_ACCOUNT_LEN) },
            { memcmp: { offset: String(TOKEN_ACCOUNT_MINT_OFFSET), base58: mintA.toBase58() } },
          ],
        },
      },
    });
    const alice = Keypair.generate().publicKey;
    const bob = Keypair.generate().publicKey;
    const a = createTokenAccount(payer, mintA, alice);
    const b = createTokenAccount(payer, mintA, bob);
    const other = createTokenAccount(payer, mintB, alice);
    send(ln, [mintToIx(mintA, a, payer.publicKey, 5n), mintToIx(mintB, other, payer.publicKey, 9n)], [payer]);
    ln.chain.advance(1);
    ln.chain.advance(1); // confirms the slot above
    const last = await c.waitFor(
      (u) =>
        u.account !== undefined &&
        new PublicKey(u.account.account?.pubkey ?? []).equals(a) &&
        decodeTokenAccount(u.account.account?.data ?? new Uint8Array()).ok &&
        (decodeTokenAccount(u.account.account!.data) as { ok: true; value: { amount: bigint } }).value
          .amount === 5n,
      'minted balance of a',
    );
    expect(last.filters).toEqual(['holdings']);
    const pubkeys = new Set(
      c.updates.filter((u) => u.account).map((u) => new PublicKey(u.account!.account!.pubkey).toBase58()),
    );
    expect(pubkeys).toEqual(new Set([a.toBase58(), b.toBase58()])); // never the mintB account, never the mint
    const versions = c.updates.filter((u) => u.account).map((u) => BigInt(u.account!.account!.writeVersion));
    expect([...versions].sort((x, y) => (x < y ? -1 : 1))).toEqual(versions);
    expect(new Set(versions).size).toBe(versions.length);
    for (const u of c.updates.filter((x) => x.account)) {
      const dec = decodeTokenAccount(u.account!.account!.data);
      expect(dec.ok && dec.value.mint.equals(mintA)).toBe(true);
      expect(u.account!.account!.txnSignature?.length).toBe(64);
    }
  });

  it('filters transactions by account_include / exclude / required and failed; failed ones carry their error', async () => {
    const payer = funded(ln);
    const mint = createMint(payer);
    const holder = Keypair.generate();
    const acc = createTokenAccount(payer, mint, holder.publicKey);
    const acc2 = createTokenAccount(payer, mint, payer.publicKey);
    ln.chain.advance(2);
    const c = await collector({
      ...emptyRequest(),
      transactions: {
        mint: { accountInclude: [mint.toBase58()], accountExclude: [], accountRequired: [] },
        both: { accountInclude: [], accountExclude: [], accountRequired: [acc.toBase58(), acc2.toBase58()] },
        notMint: { accountInclude: [acc.toBase58()], accountExclude: [mint.toBase58()], accountRequired: [] },
        failed: { failed: true, accountInclude: [], accountExclude: [], accountRequired: [] },
      },
    });
    const sigMint = send(ln, [mintToIx(mint, acc, payer.publicKey, 3n)], [payer]);
    const sigXfer = send(ln, [transferIx(acc, acc2, holder.publicKey, 1n)], [payer, holder]);
    // overdraw: lands because preflight is skipped, and fails on chain
    const sigFail = send(ln, [transferIx(acc, acc2, holder.publicKey, 100n)], [payer, holder], true);
    const bySig = async (sig: string) =>
      c.waitFor(
        (u) => u.transaction !== undefined && bs58.encode(u.transaction.transaction!.signature) === sig,
        sig,
      );
    expect((await bySig(sigMint)).filters.sort()).toEqual(['mint']);
    expect((await bySig(sigXfer)).filters.sort()).toEqual(['both', 'notMint']);
    const failed = await bySig(sigFail);
    expect(failed.filters.sort()).toEqual(['both', 'failed', 'notMint']);
    const meta = failed.transaction!.transaction!.meta!;
    expect(txErrDecode.decode(meta.err!.err)).toEqual({ InstructionError: [0, { Custom: 1 }] });
    expect(meta.logMessages.some((l) => l.includes('insufficient funds'))).toBe(true);
    expect(meta.preTokenBalances.length).toBeGreaterThan(0);
  });

  it('resumes with from_slot without gaps or duplicates; refuses from_slot below the window with INVALID_ARGUMENT', async () => {
    const req = {
      ...emptyRequest(),
      commitment: CommitmentLevel.CONFIRMED,
      slots: { s: {} },
      accounts: { t: { account: [], owner: [TOKEN_PROGRAM_ID.toBase58()], filters: [] } },
      transactions: { all: { accountInclude: [], accountExclude: [], accountRequired: [] } },
    };
    const live = await collector(req);
    const payer = funded(ln);
    const mint = createMint(payer);
    const acc = createTokenAccount(payer, mint, payer.publicKey);
    const marks: number[] = [];
    for (let i = 0; i < 6; i++) {
      marks.push(ln.chain.processedSlot);
      send(ln, [mintToIx(mint, acc, payer.publicKey, BigInt(i + 1))], [payer]);
      ln.chain.advance(1);
    }
    ln.chain.advance(4);
    const lastSlot = String(ln.chain.processedSlot - 1);
    await live.waitFor(
      (u) => u.slot?.slot === lastSlot && u.slot.status === SlotStatus.SLOT_PROCESSED,
      'live head',
    );
    const from = marks[2] as number;
    const resumed = await collector({ ...req, fromSlot: String(from) });
    const expected = live.updates
      .filter((u) => Number(u.slot?.slot ?? u.account?.slot ?? u.transaction?.slot) >= from)
      .map(updateKey);
    await until(() => resumed.updates.length >= expected.length, 'replay to catch up');
    expect(resumed.updates.map(updateKey)).toEqual(expected);
    expect(expected.filter((k) => k.startsWith('tx:')).length).toBe(4); // the mints of marks[2..5]

    // both streams continue live with the same updates
    const liveBefore = live.updates.length;
    const h = ln.chain.processedSlot;
    send(ln, [mintToIx(mint, acc, payer.publicKey, 1n)], [payer]);
    ln.chain.advance(2);
    const marker = (u: SubscribeUpdate) =>
      u.slot?.slot === String(h) && u.slot.status === SlotStatus.SLOT_CONFIRMED;
    await live.waitFor(marker, 'live marker');
    await resumed.waitFor(marker, 'resumed marker');
    const tail = (c: Collector, from: number) =>
      c.updates.slice(from, c.updates.findIndex(marker) + 1).map(updateKey);
    expect(tail(resumed, expected.length)).toEqual(tail(live, liveBefore));
    expect(tail(live, liveBefore).some((k) => k.startsWith('tx:'))).toBe(true);

    // beyond the replay window (20 slots)
    ln.chain.advance(25);
    const client = new Client(ln.grpcEndpoint, undefined, undefined);
    await client.connect();
    const info = Number((await client.subscribeReplayInfo()).firstAvailable);
    expect(info).toBe(ln.chain.processedSlot - 20);
    expect(info).toBeGreaterThan(from);
    const tooOld = await collector({ ...req, fromSlot: String(info - 1) }, false);
    const err = await tooOld.waitForError();
    expect(err.message).toMatch(/subscribe stream receive failed/);
    // the official client's JS wrapper hides the status; a plain grpc-js client shows it
    const status = await rawSubscribeStatus(ln.grpcEndpoint, { fromSlot: String(info - 1) });
    expect(status.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(status.details).toBe(`broadcast from ${info - 1} is not available, last available: ${info}`);
    // at the edge of the window it is accepted
    const edge = await collector({ ...req, fromSlot: String(info) });
    await edge.waitFor((u) => u.slot?.slot === String(info), 'first available slot');
  });

  it('kills a slot after its transactions were streamed at confirmed: SLOT_DEAD, state rolled back', async () => {
    const payer = funded(ln);
    const mint = createMint(payer);
    const acc = createTokenAccount(payer, mint, payer.publicKey);
    ln.chain.advance(3);
    const confirmed = await collector({
      ...emptyRequest(),
      commitment: CommitmentLevel.CONFIRMED,
      slots: { s: {} },
      transactions: { t: { accountInclude: [mint.toBase58()], accountExclude: [], accountRequired: [] } },
    });
    const processed = await collector({
      ...emptyRequest(),
      accounts: { a: { account: [acc.toBase58()], owner: [], filters: [] } },
    });
    const doomedSlot = ln.chain.processedSlot;
    const sig = send(ln, [mintToIx(mint, acc, payer.publicKey, 50n)], [payer]);
    expect(ln.rpc.call('rv_killSlot', [])).toEqual({ slot: doomedSlot, transactions: 1 });
    // while the slot waits to die, new transactions queue instead of building on it
    const later = send(ln, [mintToIx(mint, acc, payer.publicKey, 7n)], [payer]);
    expect(ln.chain.getTransaction(later)).toBeUndefined();
    ln.chain.advance(2);

    const dead = await confirmed.waitFor(
      (u) => u.slot?.slot === String(doomedSlot) && u.slot.status === SlotStatus.SLOT_DEAD,
      'dead slot',
    );
    const idx = (u: SubscribeUpdate) => confirmed.updates.indexOf(u);
    const txAtConfirmed = await confirmed.waitFor(
      (u) => u.transaction !== undefined && bs58.encode(u.transaction.transaction!.signature) === sig,
      'tx at confirmed',
    );
    expect(idx(txAtConfirmed)).toBeLessThan(idx(dead));
    expect(dead.slot?.deadError).toMatch(/rv_killSlot/);

    // rollback: the doomed mint is gone, the queued one ran afterwards in a live slot
    expect(ln.chain.getTransaction(sig)).toBeUndefined();
    const tx2 = ln.chain.getTransaction(later);
    expect(tx2 && tx2.slot > doomedSlot).toBe(true);
    const amount = (u: SubscribeUpdate) =>
      (decodeTokenAccount(u.account!.account!.data) as { ok: true; value: { amount: bigint } }).value.amount;
    const st = ln.chain.getAccount(acc.toBase58());
    expect(st && (decodeTokenAccount(st.data) as { ok: true; value: { amount: bigint } }).value.amount).toBe(
      7n,
    );
    // processed subscriber: 50 (doomed), then the restored 0, then 7
    await processed.waitFor((u) => u.account !== undefined && amount(u) === 7n, 'queued mint');
    expect(processed.updates.filter((u) => u.account).map(amount)).toEqual([50n, 0n, 7n]);
  });

  it('getBlocks (over HTTP, @solana/web3.js) lists confirmed / finalized slots, never a dead one, even after its slot is pruned', async () => {
    const payer = funded(ln);
    const mint = createMint(payer);
    const acc = createTokenAccount(payer, mint, payer.publicKey);
    ln.chain.advance(1);
    send(ln, [mintToIx(mint, acc, payer.publicKey, 5n)], [payer]);
    const doomed = ln.chain.processedSlot;
    ln.chain.advance(2); // confirmed (depth 1), not finalized (depth 3)
    const conn = new Connection(ln.rpcUrl);
    expect(await conn.getBlocks(doomed - 1, doomed, 'confirmed')).toEqual([doomed - 1, doomed]);
    ln.rpc.call('rv_killSlot', [doomed]);
    const confirmedTip = ln.chain.slotAt(1);
    expect(await conn.getBlocks(doomed - 1, doomed + 5, 'confirmed')).toEqual(
      Array.from({ length: confirmedTip - doomed + 2 }, (_v, i) => doomed - 1 + i).filter(
        (s) => s !== doomed,
      ),
    );
    // the end is capped at the newest slot of the commitment; finalized lags behind
    ln.chain.advance(5);
    expect(ln.chain.slotAt(2)).toBeGreaterThan(doomed);
    const confirmed = await conn.getBlocks(1, undefined, 'confirmed');
    const finalized = await conn.getBlocks(1, undefined, 'finalized');
    expect(confirmed[confirmed.length - 1]).toBe(ln.chain.slotAt(1));
    expect(finalized[finalized.length - 1]).toBe(ln.chain.slotAt(2));
    expect(ln.chain.slotAt(2)).toBeLessThan(ln.chain.slotAt(1));
    expect([confirmed.includes(doomed), finalized.includes(doomed)]).toEqual([false, false]);
    ln.chain.advance(200); // the dead slot's bookkeeping is pruned; it stays absent
    for (const c of ['confirmed', 'finalized'] as const) {
      const blocks = await conn.getBlocks(doomed - 1, doomed + 3, c);
      expect(blocks).toEqual([doomed - 1, doomed + 1, doomed + 2, doomed + 3]);
    }
    await expect(conn.getBlocks(1, 600_000, 'confirmed')).rejects.toThrow(/range too large/);
    expect(() => ln.rpc.call('getBlocks', [1, 2, { commitment: 'processed' }])).toThrow(/below `confirmed`/);
  });

  it('applies accounts_data_slice, transactions_status and filter_by_commitment; refuses bad filters', async () => {
    const payer = funded(ln);
    const mint = createMint(payer);
    const acc = createTokenAccount(payer, mint, payer.publicKey);
    ln.chain.advance(2);
    const c = await collector({
      ...emptyRequest(),
      commitment: CommitmentLevel.CONFIRMED,
      slots: { s: { filterByCommitment: true } },
      accounts: { a: { account: [acc.toBase58()], owner: [], filters: [] } },
      transactionsStatus: {
        st: { accountInclude: [acc.toBase58()], accountExclude: [], accountRequired: [] },
      },
      accountsDataSlice: [{ offset: String(64), length: String(8) }], // the amount field
    });
    const slot = ln.chain.processedSlot;
    const sig = send(ln, [mintToIx(mint, acc, payer.publicKey, 258n)], [payer]);
    ln.chain.advance(2);
    const st = await c.waitFor((u) => u.transactionStatus !== undefined, 'transaction status');
    expect(bs58.encode(st.transactionStatus!.signature)).toBe(sig);
    expect(st.transactionStatus!.err).toBeUndefined();
    const a = await c.waitFor((u) => u.account !== undefined, 'sliced account');
    expect(Buffer.from(a.account!.account!.data)).toEqual(Buffer.from([2, 1, 0, 0, 0, 0, 0, 0]));
    await c.waitFor(
      (u) => u.slot?.slot === String(slot) && u.slot.status === SlotStatus.SLOT_CONFIRMED,
      'confirmed status',
    );
    expect(c.updates.filter((u) => u.slot).every((u) => u.slot!.status === SlotStatus.SLOT_CONFIRMED)).toBe(
      true,
    );

    const bad = await rawSubscribeStatus(ln.grpcEndpoint, { accounts: { x: { owner: ['not-a-key'] } } });
    expect(bad.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(bad.details).toMatch(/accounts\.x\.owner: invalid base58 pubkey/);
    const blocks = await rawSubscribeStatus(ln.grpcEndpoint, { blocks: { b: {} } });
    expect(blocks.code).toBe(grpc.status.INVALID_ARGUMENT);
    // a compressed (cuckoo) account filter from the official client is refused, not widened to "all"
    const set = new CompressedAccountFilterSet(1000);
    set.insert(acc.toBase58());
    const req = emptyRequest();
    set.insertIntoSubscribeRequest(req, 'compressed');
    const refused = await collector(req, false);
    expect((await refused.waitForError()).message).toMatch(/subscribe stream receive failed/);
    const why = await rawSubscribeStatus(ln.grpcEndpoint, req as unknown as Record<string, unknown>);
    expect(why.details).toMatch(/accounts\.compressed: cuckoo_accounts_filter is not supported/);
  });

  it('queues transactions while paused and runs them on resume', async () => {
    ln.chain.advance(1);
    expect(ln.rpc.call('rv_pause')).toMatchObject({ paused: true });
    const to = Keypair.generate();
    const sig = ln.chain.airdrop(to.publicKey, 1_000_000_000n);
    expect(ln.chain.getTransaction(sig)).toBeUndefined();
    ln.rpc.call('rv_resume');
    expect(ln.chain.getTransaction(sig)?.err).toBeNull();
    expect(ln.chain.bank.balance(to.publicKey.toBase58())).toBe(1_000_000_000n);
    // a transfer leaving the recipient below rent exemption fails with the validator's error
    const poor = Keypair.generate();
    const fail = ln.chain.submit(transferTxFrom(ln, to, poor.publicKey, 5n), true);
    expect(ln.chain.getTransaction(fail)?.err?.json).toEqual({
      InsufficientFundsForRent: { account_index: 1 },
    });
    expect(txErrDecode.decode(ln.chain.getTransaction(fail)!.err!.bincode)).toEqual({
      InsufficientFundsForRent: { account_index: 1 },
    });
  });

  it("the official client's auto-reconnect resumes after rv_dropStreams with no gap and no duplicate", async () => {
    const client = new Client(ln.grpcEndpoint, undefined, undefined, {
      backoff: { initialIntervalMs: 50, multiplier: 1, maxRetries: 20 },
      slotRetention: 100,
    });
    await client.connect();
    const stream = await client.subscribe();
    const seen: string[] = [];
    stream.on('data', (u: SubscribeUpdate) => {
      if (u.slot) seen.push(`${u.slot.slot}:${u.slot.status}`);
    });
    try {
      // The client re-sends the last request it wrote when it reconnects, so that one must carry the
      // filters (a request with `ping` only answers pong, here as upstream). No ping-based sync here.
      await new Promise<void>((r) => stream.write({ ...emptyRequest(), slots: { s: {} } }, () => r()));
      while (seen.length === 0) {
        ln.chain.advance(1);
        await new Promise((r) => setTimeout(r, 20));
      }
      ln.chain.advance(3);
      await until(
        () => seen.some((k) => k === `${ln.chain.processedSlot - 1}:${SlotStatus.SLOT_PROCESSED}`),
        'slots before the drop',
      );
      expect(ln.rpc.call('rv_dropStreams')).toEqual({ dropped: 1 });
      ln.chain.advance(4); // produced while the client is reconnecting
      await until(() => ln.geyser.subscriberCount === 1, 'reconnect');
      ln.chain.advance(1);
      const last = `${ln.chain.processedSlot - 1}:${SlotStatus.SLOT_PROCESSED}`;
      await until(() => seen.includes(last), 'slots after the reconnect').catch((e) => {
        throw new Error(`${(e as Error).message}: saw ${seen.join(' ')}, want ${last}`);
      });
      expect(new Set(seen).size).toBe(seen.length);
      const processed = seen
        .filter((k) => k.endsWith(`:${SlotStatus.SLOT_PROCESSED}`))
        .map((k) => Number(k.split(':')[0]));
      expect(processed).toEqual(Array.from({ length: processed.length }, (_v, i) => processed[0]! + i));
      expect(processed[processed.length - 1]).toBe(ln.chain.processedSlot - 1);
      expect(processed.length).toBeGreaterThanOrEqual(8);
    } finally {
      stream.destroy();
    }
  });

  it('drops every stream on rv_dropStreams; a resubscribe with from_slot gets what was missed', async () => {
    const req = { ...emptyRequest(), slots: { s: {} } };
    const c = await collector(req);
    ln.chain.advance(2);
    await c.waitFor((u) => u.slot?.status === SlotStatus.SLOT_PROCESSED, 'a slot');
    const lastSeen = Math.max(...c.updates.map((u) => Number(u.slot?.slot ?? 0)));
    expect(ln.rpc.call('rv_dropStreams')).toEqual({ dropped: 1 });
    await c.waitForError();
    ln.chain.advance(3); // produced while disconnected
    const again = await collector({ ...req, fromSlot: String(lastSeen + 1) });
    const head = String(ln.chain.processedSlot - 1);
    await again.waitFor(
      (u) => u.slot?.slot === head && u.slot.status === SlotStatus.SLOT_PROCESSED,
      'missed slots',
    );
    const slots = again.updates
      .filter((u) => u.slot?.status === SlotStatus.SLOT_PROCESSED)
      .map((u) => Number(u.slot!.slot));
    expect(slots[0]).toBe(lastSeen + 1);
  });
});

function transferTxFrom(ln: Localnet, from: Keypair, to: PublicKey, lamports: bigint): Buffer {
  const tx = new Transaction({
    feePayer: from.publicKey,
    recentBlockhash: ln.chain.latestBlockhash(0).blockhash,
  }).add(SystemProgram.transfer({ fromPubkey: from.publicKey, toPubkey: to, lamports }));
  tx.sign(from);
  return tx.serialize();
}

/** Opens Subscribe with @grpc/grpc-js and returns the status the server ends it with. */
function rawSubscribeStatus(endpoint: string, req: Record<string, unknown>): Promise<grpc.StatusObject> {
  const pkg = grpc.loadPackageDefinition(loadGeyserPackage()) as unknown as {
    geyser: {
      Geyser: new (
        addr: string,
        creds: grpc.ChannelCredentials,
      ) => grpc.Client & { Subscribe(): grpc.ClientDuplexStream<unknown, unknown> };
    };
  };
  const client = new pkg.geyser.Geyser(endpoint.replace('http://', ''), grpc.credentials.createInsecure());
  return new Promise((resolve) => {
    const call = client.Subscribe();
    call.on('data', () => undefined);
    call.on('error', () => undefined);
    call.on('status', (s: grpc.StatusObject) => {
      client.close();
      resolve(s);
    });
    call.write(req);
  });
}
