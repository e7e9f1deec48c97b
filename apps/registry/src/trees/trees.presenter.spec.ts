import { pathBytes, presentPath, presentSnapshot, snapshotWithPathsJson } from './trees.presenter';
import type { TreeState } from './tree-records';

const tree: TreeState = {
  trackId: 18446744073709551615n,
  depth: 3,
  nextIndex: 5,
  leafCount: 4,
  seq: 12,
  root: 2n ** 200n + 7n,
  slot: 987654321,
  changeSeq: 3n,
  historyFromSeq: 1,
};
const path = (index: number) => ({
  index,
  leaf: BigInt(index + 1),
  siblings: [0n, 5n, 2n ** 250n],
  root: tree.root,
});

describe('path answers built from serialized paths', () => {
  it('are byte for byte what JSON.stringify gives for the answer objects', () => {
    const one = snapshotWithPathsJson(tree, 'path', [pathBytes(path(4))]);
    expect(one.toString()).toBe(JSON.stringify({ ...presentSnapshot(tree), path: presentPath(path(4)) }));
    const paths = [path(0), path(3), path(0)];
    const many = snapshotWithPathsJson(tree, 'paths', paths.map(pathBytes));
    expect(many.toString()).toBe(JSON.stringify({ ...presentSnapshot(tree), paths: paths.map(presentPath) }));
    expect(JSON.parse(many.toString()).paths).toHaveLength(3);
  });
});
