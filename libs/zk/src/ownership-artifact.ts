import type { CompiledCircuit } from '@noir-lang/noir_js';
import ownershipJson from '../../../circuits/ownership/ownership.json';

/** A compiled circuit as committed by circuits/scripts/compile.ts. */
export type CircuitArtifact = CompiledCircuit & { noir_version: string; hash: string };

/** The committed circuits/ownership artifact (Noir 1.0.0-beta.9). */
export const ownershipArtifact = ownershipJson as unknown as CircuitArtifact;

/** Tree depth the artifact was compiled for: the length of its `siblings` parameter. */
export function artifactDepth(artifact: CircuitArtifact): number {
  const siblings = artifact.abi.parameters.find((p) => p.name === 'siblings');
  if (siblings?.type.kind !== 'array') throw new Error('ownership artifact has no siblings array parameter');
  return siblings.type.length;
}
