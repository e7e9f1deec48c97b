import { DEFAULT_SCENARIO, type ScenarioSpec } from '../../localnet/src';

export interface DemoScenarioFlags {
  seed?: string;
  tracks?: number;
  holders?: number;
  initialHolders?: number;
  churn?: number;
  churnPerSlot?: number;
}

/**
 * The main job's scenario: a few tracks, a few hundred holders, identities registering, ownership
 * churn. No scenario verifications or roots: those come from the real registry, root publisher
 * and gateway.
 */
export function demoScenario(f: DemoScenarioFlags = {}): ScenarioSpec {
  return {
    ...DEFAULT_SCENARIO,
    seed: f.seed ?? 'rv-demo',
    tracks: f.tracks ?? 3,
    holders: f.holders ?? 300,
    identityShare: 0.7,
    initialHoldersPerTrack: f.initialHolders ?? 60,
    churn: f.churn ?? 600,
    churnPerSlot: Math.max(1, f.churnPerSlot ?? 40),
    verifications: 0,
  };
}
