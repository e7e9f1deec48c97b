import { Localnet } from '../../../tools/localnet/src/localnet';
import { expectedState, planScenario, type ScenarioSpec } from '../../../tools/localnet/src/scenario/plan';
import { inProcessTarget, runScenario } from '../../../tools/localnet/src/scenario/run';
import { waitFor } from '@rv/testing';
import { Ingest } from '../src/ingest/ingest';
import { Projector } from '../src/projector/projector';
import { expectChainState, yielding } from './support/chain-scenario';
import { Pipeline } from './support/harness';

/**
 * The acceptance-size scenario of issue 6: 5 tracks, 500 holders, > 5,000 ownership changes,
 * verifications and root updates, a killed (dead) slot and a stream drop, through the real
 * pipeline; ends in exactly the scenario's expected state. Takes a few minutes on 2 cores.
 */
describe('indexer at acceptance scale on the local chain', () => {
  it('5 tracks, 500 holders, 5,600 churn transactions: exact final state', async () => {
    const ln = await Localnet.start({
      grpcPort: 0,
      rpcPort: 0,
      chain: { slotMs: 0, confirmDepth: 1, finalizeDepth: 4 },
    });
    const p = await Pipeline.create();
    const ingest = new Ingest({
      pool: p.pool,
      producer: p.producer,
      chainUpdatesTopic: p.topics.chainUpdates,
      geyserEndpoint: ln.grpcEndpoint,
      rpcUrl: ln.rpcUrl,
      name: 'scale',
      startSlot: 1,
      maxBackoffMs: 200,
    });
    const projector = new Projector({
      kafka: p.kafka,
      producer: p.producer,
      pool: p.pool,
      groupId: p.projectorGroup,
      topics: p.topics,
    });
    try {
      await ingest.start();
      await projector.start();
      await p.startRegistry();
      const spec: ScenarioSpec = {
        seed: 'idx-scale',
        tracks: 5,
        holders: 500,
        identityShare: 0.6,
        initialHoldersPerTrack: 100,
        churn: 5600,
        churnPerSlot: 20,
        verifications: 20,
      };
      const plan = planScenario(spec);
      const started = Date.now();
      await runScenario(plan, yielding(inProcessTarget(ln)), { killBatches: [10], dropStreamsAfter: [30] });
      const chainMs = Date.now() - started;
      ln.chain.advance(3);
      const head = ln.chain.slotAt(1);
      await waitFor(() => (ingest.checkpointSlot ?? 0) >= head, {
        timeoutMs: 300000,
        intervalMs: 500,
        what: `ingest checkpoint >= ${head}`,
      });
      await p.waitSettled(300000);
      const totalMs = Date.now() - started;
      const exp = expectedState(plan);
      await expectChainState(p, exp);
      const changes = plan.batches
        .flat()
        .filter((s) => s.kind === 'transfer' || s.kind === 'mint' || s.kind === 'burn').length;
      expect(changes).toBeGreaterThanOrEqual(5000);
      console.log(
        `scale: ${plan.batches.flat().length} transactions (${changes} ownership changes), chain ${chainMs} ms, settled ${totalMs} ms, ` +
          `published ${ingest['publisher'].published} records, reconnects ${ingest.reconnects}, dead slots ${ingest.deadSlots}`,
      );
    } finally {
      await ingest.stop();
      await projector.stop();
      await p.close();
      await ln.stop();
    }
  });
});
