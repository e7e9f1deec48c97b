export {
  OwnershipProver,
  type CircuitSize,
  type ZkOptions,
  type OwnershipProof,
  type ProveResult,
} from './ownership-prover';
export {
  IGNITION_G1_POINT_1,
  CrsError,
  assertCrsAllowed,
  assertCrsPolicy,
  crsFiles,
  crsHasPoints,
  readCrsG1Point,
  type CrsKind,
  type CrsPolicy,
} from './crs';
export {
  ConstraintError,
  ZkInputError,
  constraintReason,
  CONSTRAINT_REASONS,
  type ConstraintReason,
} from './errors';
export {
  PUBLIC_INPUT_ORDER,
  validateWitnessInputs,
  validatePublicInputs,
  publicInputsToBytes,
  publicInputsFromBytes,
  type OwnershipPublicInputs,
  type OwnershipWitnessInputs,
} from './inputs';
export { ownershipArtifact, artifactDepth, type CircuitArtifact } from './ownership-artifact';
export { exampleOwnershipWitness, merklePath, type ExampleWitnessOptions } from './fixtures';
