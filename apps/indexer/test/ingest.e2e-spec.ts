import { Localnet } from '../../../tools/localnet/src/localnet';
import { expectedState, planScenario, type ScenarioSpec } from '../../../tools/localnet/src/scenario/plan';
import { inProcessTarget, runScenario } from '../../../tools/localnet/src/scenario/run';
import { spawnApp, waitFor, type SpawnedApp } from '@rv/testing';
import { Ingest } from '../src/ingest/ingest';
import { Projector } from '../src/projector/projector';
import { expectChainState, yielding } from './support/chain-scenario';
import { Pipeline } from './support/harness';

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

  const newIngest = () =>
    new Ingest({
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
    ingest = undefined;
    projector = undefined;
  });

  it('a churn scenario with a dead slot and a stream drop inside the replay window ends in the exact expected state', async () => {
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
  });

  it('resumes outside the replay window by backfilling the missed slots over RPC, then streams on', async () => {
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
});
