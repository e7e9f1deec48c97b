import { CurrentHeads } from './current-heads';
import type { TreeState } from './tree-records';

const tree = (trackId: bigint, seq: number): TreeState => ({
  trackId,
  depth: 20,
  nextIndex: 1,
  leafCount: 1,
  seq,
  root: 1n,
  slot: seq,
  changeSeq: 0n,
  historyFromSeq: 0,
});

describe('CurrentHeads', () => {
  it('answers from a statement started after the call; concurrent callers share statements', async () => {
    let seq = 1;
    const started: bigint[][] = [];
    let release: (() => void) | undefined;
    const heads = new CurrentHeads(async (ids) => {
      started.push([...ids]);
      const at = seq; // what the statement's snapshot sees when it starts
      await new Promise<void>((r) => (release = r));
      return ids.filter((id) => id !== 9n).map((id) => tree(id, at));
    });
    const a = heads.get(1n);
    expect(started).toEqual([[1n]]);
    // A writer commits seq 2 while the first statement is in flight: callers from now on must
    // not be answered by that statement.
    seq = 2;
    const b = heads.get(1n);
    const c = heads.get(2n);
    const d = heads.get(9n);
    release!();
    expect((await a)?.seq).toBe(1);
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual([[1n], [1n, 2n, 9n]]);
    release!();
    expect((await b)?.seq).toBe(2);
    expect((await c)?.trackId).toBe(2n);
    expect(await d).toBeUndefined();
    expect(heads.queries).toBe(2);
  });

  it('rejects the callers of a failed statement and recovers for the next ones', async () => {
    let fail = true;
    const heads = new CurrentHeads((ids) =>
      fail ? Promise.reject(new Error('connection refused')) : Promise.resolve(ids.map((id) => tree(id, 3))),
    );
    await expect(heads.get(1n)).rejects.toThrow('connection refused');
    fail = false;
    expect((await heads.get(1n))?.seq).toBe(3);
  });
});
