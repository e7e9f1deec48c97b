import type { Poseidon2Hasher } from './poseidon2';

/**
 * bb.js (Barretenberg wasm) as a Poseidon2Hasher: the reference the other implementations are
 * checked against, and a contender in the benchmark. Async because the wasm must be loaded.
 */
export async function createBbJsHasher(): Promise<Poseidon2Hasher> {
  const { BarretenbergSync, Fr } = await import('@aztec/bb.js');
  const bb = await BarretenbergSync.initSingleton();
  const toBig = (fr: { toString(): string }): bigint => BigInt(fr.toString());
  const hash = (inputs: readonly bigint[]): bigint => toBig(bb.poseidon2Hash(inputs.map((x) => new Fr(x))));
  return {
    name: 'bbjs',
    hash,
    hashPairs(flat) {
      const out = new Array<bigint>(flat.length >> 1);
      for (let i = 0; i < out.length; i++) out[i] = hash([flat[2 * i] as bigint, flat[2 * i + 1] as bigint]);
      return out;
    },
  };
}
