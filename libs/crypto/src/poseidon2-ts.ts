import { FIELD_MODULUS } from './field';
import { EXTERNAL_RC, INTERNAL_RC, MAT_DIAG_M_1 } from './poseidon2-params';

/**
 * Pure TypeScript Poseidon2 (BN254, t = 4): the permutation written out on four scalar locals
 * with lazy modular reduction, and Barretenberg's sponge on top. Works everywhere (browser too);
 * the native addon is faster where it is built.
 */
const P = FIELD_MODULUS;
const ERC: bigint[] = EXTERNAL_RC.flat().map((h) => BigInt(h));
const IRC: bigint[] = INTERNAL_RC.map((h) => BigInt(h));
const D0 = BigInt(MAT_DIAG_M_1[0] as string);
const D1 = BigInt(MAT_DIAG_M_1[1] as string);
const D2 = BigInt(MAT_DIAG_M_1[2] as string);
const D3 = BigInt(MAT_DIAG_M_1[3] as string);

function pow5(x: bigint): bigint {
  const x2 = (x * x) % P;
  const x4 = (x2 * x2) % P;
  return (x4 * x) % P;
}

/** In-place Poseidon2 permutation of a 4-element state (values in [0, r)). */
export function permute(state: bigint[]): void {
  let s0 = state[0] as bigint;
  let s1 = state[1] as bigint;
  let s2 = state[2] as bigint;
  let s3 = state[3] as bigint;
  let t0: bigint, t1: bigint, t2: bigint, t3: bigint, t4: bigint, t5: bigint;

  // Initial external linear layer (M4 of the Poseidon2 paper); values may exceed P (lazy).
  t0 = s0 + s1;
  t1 = s2 + s3;
  t2 = s1 + s1 + t1;
  t3 = s3 + s3 + t0;
  t4 = 4n * t1 + t3;
  t5 = 4n * t0 + t2;
  s0 = t3 + t5;
  s1 = t5;
  s2 = t2 + t4;
  s3 = t4;

  let rc = 0;
  for (let round = 0; round < 8; round++) {
    if (round === 4) {
      for (let i = 0; i < 56; i++) {
        s0 = pow5((s0 + (IRC[i] as bigint)) % P);
        const sum = (s0 + s1 + s2 + s3) % P;
        s0 = (s0 * D0 + sum) % P;
        s1 = (s1 * D1 + sum) % P;
        s2 = (s2 * D2 + sum) % P;
        s3 = (s3 * D3 + sum) % P;
      }
    }
    s0 = pow5((s0 + (ERC[rc++] as bigint)) % P);
    s1 = pow5((s1 + (ERC[rc++] as bigint)) % P);
    s2 = pow5((s2 + (ERC[rc++] as bigint)) % P);
    s3 = pow5((s3 + (ERC[rc++] as bigint)) % P);
    t0 = s0 + s1;
    t1 = s2 + s3;
    t2 = s1 + s1 + t1;
    t3 = s3 + s3 + t0;
    t4 = 4n * t1 + t3;
    t5 = 4n * t0 + t2;
    s0 = t3 + t5;
    s1 = t5;
    s2 = t2 + t4;
    s3 = t4;
  }
  state[0] = s0 % P;
  state[1] = s1 % P;
  state[2] = s2 % P;
  state[3] = s3 % P;
}

/** Barretenberg's Poseidon2 sponge hash (rate 3, capacity element n << 64). Inputs must be in [0, r). */
export function poseidon2HashTs(inputs: readonly bigint[]): bigint {
  const state = [0n, 0n, 0n, BigInt(inputs.length) << 64n];
  if (inputs.length === 0) {
    permute(state);
    return state[0] as bigint;
  }
  for (let i = 0; i < inputs.length; i += 3) {
    for (let j = 0; j < 3 && i + j < inputs.length; j++) {
      state[j] = ((state[j] as bigint) + (inputs[i + j] as bigint)) % P;
    }
    permute(state);
  }
  return state[0] as bigint;
}
