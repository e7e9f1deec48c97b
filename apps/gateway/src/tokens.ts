/** Injection tokens of the gateway's ports (interfaces to other services). */
export const PROVER_API = Symbol('PROVER_API');
export const PROOF_VERIFIER = Symbol('PROOF_VERIFIER');
export const CHAIN = Symbol('CHAIN');
