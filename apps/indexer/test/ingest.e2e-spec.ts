import { Localnet } from '../../../tools/localnet/src/localnet';
import { expectedState, planScenario, type ScenarioSpec } from '../../../tools/localnet/src/scenario/plan';
import { inProcessTarget, runScenario } from '../../../tools/localnet/src/scenario/run';
import { waitFor } from '@rv/testing';
import { Ingest } from '../src/ingest/ingest';
import { Projector } from '../src/projector/projector';
import { expectChainState } from './support/chain-scenario';
import { Pipeline } from './support/harness';

/**
 * The whole indexer against the local chain (real Yellowstone gRPC wire protocol and JSON-RPC),
 * real Kafka and real PostgreSQL: ingest -> rv.chain.updates.v1 -> projector -> leaf changes ->
 * registry tree writer. Each test ends in the local chain scenario's exact expected state.
 */
describe('indexer end to end on the local chain', () => {
  let ln: Localnet;
  let p: Pipeline;
  let ingest: Ingest;
  let projector: Projector;

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
    ln = await Localnet.start({ grpcPort: 0, rpcPort: 0, chain: { slotMs: 0, confirmDepth: 1, finalizeDepth: 4 }, geyser: { replayWindowSlots } });
    p = await Pipeline.create();
    ingest = newIngest();
    projector = new Projector({ kafka: p.kafka, producer: p.producer, pool: p.pool, groupId: p.projectorGroup, topics: p.topics });
    await ingest.start();
    await projector.start();
    await p.startRegistry();
  };

  /** Confirms the chain's last slots and waits until the ingest checkpoint and everything downstream caught up. */
  const settle = async () => {
    ln.chain.advance(3);
    const head = ln.chain.slotAt(1);
    await waitFor(() => (ingest.checkpointSlot ?? 0) >= head, { timeoutMs: 120000, what: `ingest checkpoint >= ${head}` });
    await p.waitSettled(180000);
  };

  afterEach(async () => {
    await ingest?.stop();
    await projector?.stop();
    await p?.close();
    await ln?.stop();
  });

  it('a churn scenario with a dead slot and a stream drop inside the replay window ends in the exact expected state', async () => {
    await start();
    const spec: ScenarioSpec = { seed: 'idx-e2e-1', tracks: 3, holders: 40, identityShare: 0.6, initialHoldersPerTrack: 12, churn: 300, churnPerSlot: 20, verifications: 5 };
    const plan = planScenario(spec);
    const target = inProcessTarget(ln);
    await runScenario({ spec, batches: plan.batches.slice(0, 6) }, target, { killBatches: [4] });
    ln.chain.advance(2);
    const head = ln.chain.slotAt(1);
    await waitFor(() => (ingest.checkpointSlot ?? 0) >= head, { timeoutMs: 60000, what: 'ingest caught up' });
    await target.admin('rv_dropStreams', []); // the server drops the live stream; the ingest resumes from its checkpoint
    await runScenario({ spec, batches: plan.batches.slice(6) }, target);
    await settle();
    expect(ingest.reconnects).toBeGreaterThanOrEqual(1);
    expect(ingest.deadSlots).toBe(1);
    await expectChainState(p, expectedState(plan));
  });

  it('resumes outside the replay window by backfilling the missed slots over RPC, then streams on', async () => {
    await start(8);
    const spec: ScenarioSpec = { seed: 'idx-e2e-2', tracks: 2, holders: 30, identityShare: 0.6, initialHoldersPerTrack: 10, churn: 240, churnPerSlot: 12, verifications: 3 };
    const plan = planScenario(spec);
    const target = inProcessTarget(ln);
    await runScenario({ spec, batches: plan.batches.slice(0, 6) }, target);
    ln.chain.advance(2);
    const head = ln.chain.slotAt(1);
    await waitFor(() => (ingest.checkpointSlot ?? 0) >= head, { timeoutMs: 60000, what: 'ingest caught up' });
    await ingest.stop();
    // While the ingest is away: the rest of the scenario and 40 more slots, far beyond the 8-slot window.
    await runScenario({ spec, batches: plan.batches.slice(6) }, target);
    ln.chain.advance(40);
    ingest = newIngest();
    await ingest.start();
    await settle();
    expect(ingest.gapsFilled).toBeGreaterThanOrEqual(1);
    await expectChainState(p, expectedState(plan));
  });
});
