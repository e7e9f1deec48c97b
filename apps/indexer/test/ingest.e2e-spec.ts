import { randomBytes } from 'crypto';
import { Localnet } from '../../../tools/localnet/src/localnet';
import { makeTestCertificates, type TestCertificates } from '../../../tools/localnet/src/test-certificates';
import { expectedState, planScenario, type ScenarioSpec } from '../../../tools/localnet/src/scenario/plan';
import { inProcessTarget, runScenario } from '../../../tools/localnet/src/scenario/run';
import { Keypair } from '@solana/web3.js';
import bs58 from 'bs58';
import type { KafkaMessage } from 'kafkajs';
import { RAINBOW_VEIL_PROGRAM_ID, encodeEvent } from '@rv/chain';
import { DLQ_HEADERS, dlqTopicOf } from '@rv/kafka';
import { spawnApp, uniqueName, waitFor, type SpawnedApp } from '@rv/testing';
import type { GeyserTransport } from '../src/ingest/geyser-client';
import { Ingest } from '../src/ingest/ingest';
import { Projector } from '../src/projector/projector';
import { expectChainState, yielding } from './support/chain-scenario';
import { Pipeline } from './support/harness';

/** The first `n` records of `topic`, in partition order (a throwaway consumer group). */
async function readTopic(p: Pipeline, topic: string, n: number): Promise<KafkaMessage[]> {
  const out: KafkaMessage[] = [];
  const consumer = p.kafka.consumer({ groupId: uniqueName('read') });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => void out.push(message) });
  try {
    await waitFor(() => out.length >= n, { timeoutMs: 30000, what: `${n} records on ${topic}` });
  } finally {
    await consumer.disconnect();
  }
  return out;
}

/**
 * The whole indexer against the local chain (real Yellowstone gRPC wire protocol and JSON-RPC),
 * real Kafka and real PostgreSQL: ingest -> rv.chain.updates.v1 -> projector -> leaf changes ->
 * registry tree writer. Each test ends in the local chain scenario's exact expected state.
 */
describe('indexer end to end on the local chain', () => {
  let ln: Localnet;
  let p: Pipeline;
  let ingest: Ingest | undefined;
  let projector: Projector | undefined;

  let transport: GeyserTransport = 'grpc-js';
  const newIngest = () =>
    new Ingest({
      transport,
      pool: p.pool,
      producer: p.producer,
      chainUpdatesTopic: p.topics.chainUpdates,
      geyserEndpoint: ln.grpcEndpoint,
      rpcUrl: ln.rpcUrl,
      name: 'spec',
      startSlot: 1,
      maxBackoffMs: 200,
    });

  const start = async (replayWindowSlots = 2000) => {
    ln = await Localnet.start({
      grpcPort: 0,
      rpcPort: 0,
      chain: { slotMs: 0, confirmDepth: 1, finalizeDepth: 4 },
      geyser: { replayWindowSlots },
    });
    p = await Pipeline.create();
    ingest = newIngest();
    projector = new Projector({
      kafka: p.kafka,
      producer: p.producer,
      pool: p.pool,
      groupId: p.projectorGroup,
      topics: p.topics,
    });
    await ingest.start();
    await projector.start();
    await p.startRegistry();
  };

  /** Confirms the chain's last slots and waits until the ingest checkpoint and everything downstream caught up. */
  const settle = async () => {
    ln.chain.advance(3);
    const head = ln.chain.slotAt(1);
    await waitFor(() => (ingest?.checkpointSlot ?? 0) >= head, {
      timeoutMs: 120000,
      what: `ingest checkpoint >= ${head}`,
    });
    await p.waitSettled(180000);
  };

  afterEach(async () => {
    await ingest?.stop();
    await projector?.stop();
    await p?.close();
    await ln?.stop();
    certs?.remove();
    ingest = undefined;
    projector = undefined;
    certs = undefined;
    transport = 'grpc-js';
  });

  /** Everything this process writes to stdout / stderr (Nest's logger, warnings) from now on. */
  const captureOutput = () => {
    let text = '';
    const spies = [process.stdout, process.stderr].map((stream) => {
      const write = stream.write.bind(stream) as (...a: unknown[]) => boolean;
      return jest.spyOn(stream, 'write').mockImplementation(((chunk: unknown, ...rest: unknown[]) => {
        text += String(chunk);
        return write(chunk, ...rest);
      }) as typeof stream.write);
    });
    return {
      text: () => text,
      restore: () => spies.forEach((s) => s.mockRestore()),
    };
  };

  let certs: TestCertificates | undefined;
  /** The local chain serving gRPC over TLS (a CA made for this test) and requiring an x-token. */
  const startTls = async (token: string) => {
    certs = makeTestCertificates();
    ln = await Localnet.start({
      grpcPort: 0,
      rpcPort: 0,
      chain: { slotMs: 0, confirmDepth: 1, finalizeDepth: 4 },
      grpcTls: { cert: certs.cert, key: certs.key },
      geyser: { xToken: token },
    });
    expect(ln.grpcEndpoint).toMatch(/^https:\/\//);
    p = await Pipeline.create();
  };

  it.each<GeyserTransport>(['napi', 'grpc-js'])(
    'a churn scenario with a dead slot and a stream drop inside the replay window ends in the exact expected state (%s client)',
    async (t) => {
      transport = t;
      await start();
      const spec: ScenarioSpec = {
        seed: 'idx-e2e-1',
        tracks: 3,
        holders: 40,
        identityShare: 0.6,
        initialHoldersPerTrack: 12,
        churn: 300,
        churnPerSlot: 20,
        verifications: 5,
      };
      const plan = planScenario(spec);
      const target = yielding(inProcessTarget(ln));
      await runScenario({ spec, batches: plan.batches.slice(0, 6) }, target, { killBatches: [4] });
      ln.chain.advance(2);
      const head = ln.chain.slotAt(1);
      await waitFor(() => (ingest?.checkpointSlot ?? 0) >= head, {
        timeoutMs: 60000,
        what: 'ingest caught up',
      });
      await target.admin('rv_dropStreams', []); // the server drops the live stream; the ingest resumes from its checkpoint
      await runScenario({ spec, batches: plan.batches.slice(6) }, target);
      await settle();
      expect(ingest!.reconnects).toBeGreaterThanOrEqual(1);
      expect(ingest!.deadSlots).toBe(1);
      await expectChainState(p, expectedState(plan));
    },
  );

  it.each<GeyserTransport>(['napi', 'grpc-js'])(
    'resumes outside the replay window by backfilling the missed slots over RPC, then streams on (%s client)',
    async (t) => {
      transport = t;
      await start(8);
      const spec: ScenarioSpec = {
        seed: 'idx-e2e-2',
        tracks: 2,
        holders: 30,
        identityShare: 0.6,
        initialHoldersPerTrack: 10,
        churn: 240,
        churnPerSlot: 12,
        verifications: 3,
      };
      const plan = planScenario(spec);
      const target = yielding(inProcessTarget(ln));
      await runScenario({ spec, batches: plan.batches.slice(0, 6) }, target);
      ln.chain.advance(2);
      const head = ln.chain.slotAt(1);
      await waitFor(() => (ingest?.checkpointSlot ?? 0) >= head, {
        timeoutMs: 60000,
        what: 'ingest caught up',
      });
      await ingest!.stop();
      // While the ingest is away: the rest of the scenario and 40 more slots, far beyond the 8-slot window.
      await runScenario({ spec, batches: plan.batches.slice(6) }, target);
      ln.chain.advance(40);
      ingest = newIngest();
      await ingest.start();
      await settle();
      expect(ingest!.gapsFilled).toBeGreaterThanOrEqual(1);
      await expectChainState(p, expectedState(plan));
    },
  );

  it.each([
    [5, 'identities, token accounts, holdings', 'inside'],
    [20, 'root updates, verifications', 'inside'],
    [5, 'identities, token accounts, holdings', 'beyond'],
    [20, 'root updates, verifications', 'beyond'],
  ] as const)(
    'a confirmed, checkpointed slot that dies while the ingest is down is compensated after the restart (batch %i: %s; down %s the replay window)',
    async (k, _what, window) => {
      // Beyond the 8-slot window no DEAD status of the slot is ever streamed again: the restart
      // backfills over RPC, and the death is found there (getBlocks: the slot is not on the chain).
      await start(window === 'beyond' ? 8 : 2000);
      const spec: ScenarioSpec = {
        seed: 'idx-e2e-dead-down',
        tracks: 2,
        holders: 30,
        identityShare: 0.6,
        initialHoldersPerTrack: 10,
        churn: 200,
        churnPerSlot: 12,
        verifications: 4,
      };
      const plan = planScenario(spec);
      const target = yielding(inProcessTarget(ln));
      let doomed: string[] = [];
      await runScenario({ spec, batches: plan.batches.slice(0, k + 1) }, target, {
        onBatch: (i, s) => void (i === k && (doomed = s)),
      });
      const slot = ln.chain.getTransaction(doomed[0]!)!.slot;
      ln.chain.advance(1); // `slot` is confirmed, not finalized
      await waitFor(() => (ingest?.checkpointSlot ?? 0) >= slot, {
        timeoutMs: 60000,
        what: `ingest checkpoint >= ${slot}`,
      });
      await ingest!.stop();
      const journaled = await p.pool.query(`SELECT 1 FROM indexer_published WHERE slot = $1`, [slot]);
      expect(journaled.rows.length).toBeGreaterThan(0); // the slot published records
      // While the ingest is down, the checkpointed slot dies (and its batch is never sent again).
      ln.rpc.call('rv_killSlot', [slot]);
      ln.chain.advance(window === 'beyond' ? 40 : 2);
      expect(doomed.every((sig) => ln.chain.getTransaction(sig) === undefined)).toBe(true);
      ingest = newIngest();
      await ingest.start();
      await settle();
      await expectChainState(p, expectedState({ spec, batches: plan.batches.slice(0, k) }));
      expect(ingest.deadSlots).toBe(1);
      expect(ingest.gapsFilled).toBe(window === 'beyond' ? 1 : 0);
      const left = await p.pool.query(`SELECT 1 FROM indexer_published WHERE slot = $1`, [slot]);
      expect(left.rows).toHaveLength(0); // compensated once, not again on the next restart
    },
  );

  it('dead-letters malformed program events from the stream (bad base64, truncated Borsh, unknown discriminator, newer layout) with their reason, and the stream keeps flowing', async () => {
    await start();
    const spec: ScenarioSpec = {
      seed: 'idx-e2e-dlq',
      tracks: 2,
      holders: 20,
      identityShare: 0.6,
      initialHoldersPerTrack: 8,
      churn: 120,
      churnPerSlot: 12,
      verifications: 2,
    };
    const plan = planScenario(spec);
    const target = yielding(inProcessTarget(ln));
    const sigs: string[] = [];
    await runScenario({ spec, batches: plan.batches.slice(0, 4) }, target, {
      onBatch: (_i, s) => sigs.push(...s),
    });
    ln.chain.advance(2);
    // A program build whose events this indexer cannot read: the emulated program always prints
    // valid events, so the server streams a copy of one of its transactions with other log lines,
    // confirmed in the newest confirmed slot, between the real ones.
    const real = sigs
      .map((sig) => ln.chain.getTransaction(sig))
      .find((t) => t && !t.err && t.logs.some((l) => l.startsWith('Program data: ')))!;
    const pid = RAINBOW_VEIL_PROGRAM_ID.toBase58();
    const wallet = Keypair.generate().publicKey;
    const identity = encodeEvent({
      name: 'IdentityRegistered',
      data: { wallet, commitment: new Uint8Array(32).fill(7) },
    });
    const lines = [
      'Program data: @@@not-base64@@@',
      `Program data: ${Buffer.from(identity.subarray(0, 20)).toString('base64')}`,
      `Program data: ${Buffer.alloc(48, 0xee).toString('base64')}`,
      `Program data: ${Buffer.concat([identity, Buffer.from([1, 2, 3, 4])]).toString('base64')}`,
    ];
    const signature = Keypair.generate().secretKey; // 64 bytes
    const forged = {
      ...real,
      signature: bs58.encode(signature),
      signatures: [signature],
      slot: ln.chain.slotAt(1),
      logs: [`Program ${pid} invoke [1]`, ...lines, `Program ${pid} success`],
    };
    (ln.geyser as unknown as { onTx(tx: typeof real, level: number): void }).onTx(forged, 1);
    // The stream goes on: the rest of the scenario ends in the exact expected state.
    await runScenario({ spec, batches: plan.batches.slice(4) }, target);
    await settle();
    await expectChainState(p, expectedState(plan));
    const dlq = await readTopic(p, dlqTopicOf(p.topics.chainUpdates), 4);
    expect(dlq.map((m) => String(m.headers?.[DLQ_HEADERS.code]))).toEqual([
      'bad_base64',
      'truncated',
      'unknown_discriminator',
      'trailing_bytes',
    ]);
    expect(dlq.map((m) => m.value?.toString())).toEqual(lines);
    for (const [i, m] of dlq.entries()) {
      expect(m.key?.toString()).toBe(forged.signature);
      expect(String(m.headers?.[DLQ_HEADERS.reason])).toContain(
        `(transaction ${forged.signature}, log line ${i + 1}, slot ${forged.slot})`,
      );
      expect(String(m.headers?.[DLQ_HEADERS.sourceTopic])).toBe('yellowstone');
    }
    expect(ingest!.reconnects).toBe(0);
    // The wallet of the undecodable events never became an identity.
    const { rows } = await p.pool.query(`SELECT 1 FROM identities WHERE wallet = $1`, [wallet.toBuffer()]);
    expect(rows).toHaveLength(0);
  });

  it('kill -9 of the whole indexer process (ingest + projector) several times mid-scenario: same exact state', async () => {
    ln = await Localnet.start({
      grpcPort: 0,
      rpcPort: 0,
      chain: { slotMs: 0, confirmDepth: 1, finalizeDepth: 4 },
    });
    p = await Pipeline.create();
    await p.startRegistry();
    const env = p.indexerEnv({
      INDEXER_ROLES: 'ingest,projector',
      GEYSER_ENDPOINT: ln.grpcEndpoint,
      SOLANA_RPC_URL: ln.rpcUrl,
      INGEST_NAME: 'kill',
      INGEST_START_SLOT: '1',
      INGEST_MAX_BACKOFF_MS: '200',
    });
    const spec: ScenarioSpec = {
      seed: 'idx-e2e-3',
      tracks: 3,
      holders: 40,
      identityShare: 0.6,
      initialHoldersPerTrack: 12,
      churn: 320,
      churnPerSlot: 16,
      verifications: 4,
    };
    const plan = planScenario(spec);
    const target = yielding(inProcessTarget(ln));
    const chunks = [
      plan.batches.slice(0, 5),
      plan.batches.slice(5, 10),
      plan.batches.slice(10, 16),
      plan.batches.slice(16),
    ];
    const checkpoint = async () =>
      Number(
        (
          await p.pool.query<{ slot: string }>(
            `SELECT slot::text FROM indexer_checkpoints WHERE name = 'ingest:kill'`,
          )
        ).rows[0]?.slot ?? 0,
      );
    let app: SpawnedApp | undefined;
    let kills = 0;
    try {
      for (const [i, batches] of chunks.entries()) {
        app = spawnApp('indexer', env);
        await app.listening(60000);
        const before = await checkpoint();
        await runScenario({ spec, batches }, target);
        if (i === chunks.length - 1) break;
        // Kill while it is still working through this chunk (its checkpoint moved, not necessarily to the end).
        await waitFor(async () => (await checkpoint()) > before, {
          timeoutMs: 60000,
          what: 'ingest progress',
        });
        app.proc.kill('SIGKILL');
        await app.exited;
        kills++;
      }
      ln.chain.advance(3);
      const head = ln.chain.slotAt(1);
      await waitFor(async () => (await checkpoint()) >= head, {
        timeoutMs: 120000,
        what: `ingest checkpoint >= ${head}`,
      });
      await p.waitSettled(180000);
      expect(kills).toBe(3);
      await expectChainState(p, expectedState(plan));
    } finally {
      if (app && app.proc.exitCode === null && app.proc.signalCode === null) {
        app.proc.kill('SIGTERM');
        await app.exited;
      }
    }
  });
  it('over TLS with an x-token (CA from a file): a wrong or a missing token is reported at once as refused credentials, and no token is logged (in process, grpc-js client)', async () => {
    const token = `xt-${randomBytes(16).toString('hex')}`;
    const wrong = `xt-${randomBytes(16).toString('hex')}`;
    await startTls(token);
    const output = captureOutput();
    try {
      for (const xToken of [wrong, undefined]) {
        const bad = new Ingest({
          pool: p.pool,
          producer: p.producer,
          chainUpdatesTopic: p.topics.chainUpdates,
          geyserEndpoint: ln.grpcEndpoint,
          ...(xToken ? { xToken } : {}),
          caFile: certs!.caFile,
          rpcUrl: ln.rpcUrl,
          name: 'tls-refused',
          startSlot: 1,
          maxBackoffMs: 200,
        });
        await bad.start();
        try {
          // At once, not after the 60 s a silent stream may last (staleAfterMs).
          await waitFor(() => bad.streamHealth().problem !== undefined, {
            timeoutMs: 15000,
            what: 'readiness problem',
          });
          const h = bad.streamHealth();
          expect(h.state).toBe('reconnecting');
          expect(h.problem).toBe(
            `${ln.grpcEndpoint} refused the credentials (check GEYSER_X_TOKEN): 16 UNAUTHENTICATED: No valid auth token`,
          );
          expect(bad.checkpointSlot).toBeUndefined();
        } finally {
          await bad.stop();
        }
      }
    } finally {
      output.restore();
    }
    expect(output.text()).toMatch(
      /refused the credentials: .*No valid auth token\. Check GEYSER_X_TOKEN \(set: yes\)/,
    );
    expect(output.text()).toContain('Check GEYSER_X_TOKEN (set: no)');
    expect(output.text()).not.toContain(wrong);
  });

  // The indexer as deployed (config: GEYSER_ENDPOINT https://, GEYSER_X_TOKEN, GEYSER_CA_FILE), in its
  // own process: the N-API client reads its CA through the process environment (SSL_CERT_FILE),
  // which a jest sandbox does not pass on to native code.
  it.each<GeyserTransport>(['napi', 'grpc-js'])(
    'the indexer process over TLS (%s client): with a wrong x-token /health/ready reports the refused credentials (degraded, still ready) and the log says why; with the right one the stream delivers and the projections end exact; no token in any log',
    async (t) => {
      const token = `xt-${randomBytes(16).toString('hex')}`;
      const wrong = `xt-${randomBytes(16).toString('hex')}`;
      await startTls(token);
      await p.startRegistry();
      const env = (xToken: string) =>
        p.indexerEnv({
          INDEXER_ROLES: 'ingest,projector',
          GEYSER_TRANSPORT: t,
          GEYSER_ENDPOINT: ln.grpcEndpoint,
          GEYSER_X_TOKEN: xToken,
          GEYSER_CA_FILE: certs!.caFile,
          SOLANA_RPC_URL: ln.rpcUrl,
          INGEST_NAME: 'tls-app',
          INGEST_START_SLOT: '1',
          INGEST_MAX_BACKOFF_MS: '500',
        });
      const logs: string[] = [];
      const run = async (xToken: string, body: (url: string) => Promise<void>) => {
        const app = spawnApp('indexer', env(xToken));
        try {
          await body((await app.listening(90000)).replace('[::1]', '127.0.0.1'));
        } finally {
          if (app.proc.exitCode === null && app.proc.signalCode === null) app.proc.kill('SIGTERM');
          await app.exited;
          logs.push(app.stdout(), app.stderr());
        }
        return app;
      };

      await run(wrong, async (url) => {
        let report: { status?: string; degraded?: boolean; checks?: Record<string, string> } = {};
        await waitFor(
          async () => {
            const r = await fetch(`${url}/health/ready`);
            report = (await r.json()) as typeof report;
            return r.status === 200 && report.checks?.yellowstone !== 'ok';
          },
          { timeoutMs: 30000, what: 'readiness reporting the yellowstone stream' },
        );
        expect(report.status).toBe('ok');
        expect(report.degraded).toBe(true);
        expect(report.checks?.yellowstone).toMatch(
          /^error: https:\/\/127\.0\.0\.1:\d+ refused the credentials \(check GEYSER_X_TOKEN\): .*(UNAUTHENTICATED|valid authentication credentials).*No valid auth token/,
        );
      });
      expect(logs.join('')).toContain('Check GEYSER_X_TOKEN (set: yes)');

      const spec: ScenarioSpec = {
        seed: `idx-e2e-tls-${t}`,
        tracks: 2,
        holders: 16,
        identityShare: 0.6,
        initialHoldersPerTrack: 6,
        churn: 60,
        churnPerSlot: 12,
        verifications: 2,
      };
      const plan = planScenario(spec);
      await run(token, async (url) => {
        await runScenario(plan, yielding(inProcessTarget(ln)));
        ln.chain.advance(3);
        const head = ln.chain.slotAt(1);
        await waitFor(
          async () =>
            Number(
              (
                await p.pool.query<{ slot: string }>(
                  `SELECT slot::text FROM indexer_checkpoints WHERE name = 'ingest:tls-app'`,
                )
              ).rows[0]?.slot ?? 0,
            ) >= head,
          { timeoutMs: 120000, what: `ingest checkpoint >= ${head}` },
        );
        await p.waitSettled(180000);
        const r = await fetch(`${url}/health/ready`);
        expect(((await r.json()) as { checks: Record<string, string> }).checks.yellowstone).toBe('ok');
      });
      await expectChainState(p, expectedState(plan));
      const all = logs.join('');
      expect(all).toContain('subscribed to https://127.0.0.1:');
      expect(all).not.toContain(token);
      expect(all).not.toContain(wrong);
    },
  );
});
