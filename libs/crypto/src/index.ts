export {
  FIELD_MODULUS,
  FieldError,
  assertField,
  isField,
  fieldFromHex,
  fieldToHex,
  fieldFromBytes,
  fieldToBytes,
  bytesToBigInt,
  type Field,
} from './field';
export {
  getHasher,
  loadNativeHasher,
  nativeHasherStatus,
  poseidon2Hash,
  tsHasher,
  type NativePoseidon2Hasher,
  type Poseidon2Hasher,
} from './poseidon2';
export { createBbJsHasher } from './bbjs-hasher';
export { commitment, leafHash, mintBytes, nullifier, tokenField } from './encodings';
