export { DEFAULT_DEPTH, MAX_DEPTH, zeroHashes } from './zeros';
export {
  MemoryNodeStore,
  NodeKeyList,
  type MerkleNode,
  type NodeKey,
  type NodeReader,
  type NodeStore,
} from './node-store';
export {
  SparseMerkleTree,
  computeRoot,
  verifyPath,
  type BatchResult,
  type LeafChange,
  type MerklePath,
  type TreeOptions,
} from './sparse-merkle-tree';
export { PathVerifier } from './path-verifier';
