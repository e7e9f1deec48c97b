// Entry point of tools/localnet for tests and scripts elsewhere in the repo (apps' e2e specs, demos).
export { Localnet, DEFAULT_LOCALNET_OPTIONS } from './localnet';
export type { LocalnetOptions } from './localnet';
export { LocalChain, RpcError } from './chain/local-chain';
export type { LocalChainOptions } from './chain/local-chain';
export { DEFAULT_SCENARIO, expectedState, planScenario } from './scenario/plan';
export type { ExpectedState, Plan, ScenarioSpec, Step } from './scenario/plan';
export { inProcessTarget, rpcTarget, runScenario, stepInstructions } from './scenario/run';
export type { RunOptions, ScenarioTarget } from './scenario/run';
export { identityCommitment, identitySecret, mintOf, scenarioKeys, trackIdOf } from './scenario/keys';
export {
  burnIx,
  createAccountIx,
  initializeAccountIx,
  initializeMintIx,
  mintToIx,
  transferIx,
  MINT_LEN,
} from './chain/spl-token';
export { fillWithTransfers, TokenLoad } from './scenario/token-load';
export type { TokenLoadOptions } from './scenario/token-load';
export { freePort, spawnLocalnet } from './spawn';
export type { SpawnedLocalnet } from './spawn';
export { signFast } from './chain/fast-sign';
export { makeTestCertificates } from './test-certificates';
export type { TestCertificates } from './test-certificates';
export type { GrpcTls } from './geyser/geyser-server';
