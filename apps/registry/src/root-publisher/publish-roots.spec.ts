import type { RootRecord } from '@rv/events';
import { PublishRoots } from './publish-roots';
import {
  ChainFailure,
  type RootChain,
  type RootUpdate,
  type SubmitOutcome,
  type TrackState,
} from './solana-root-chain';

const root = (n: number) => `0x${n.toString(16).padStart(64, '0')}`;
const rec = (trackId: number, seq: number, r = seq * 100 + trackId): RootRecord => ({
  trackId: BigInt(trackId),
  seq: BigInt(seq),
  root: root(r),
  leafCount: BigInt(seq * 10),
  slot: 1000 + seq,
  changeSeq: BigInt(seq * 10),
});

/** update_root's rules in memory: registered tracks only, seq must increase, the last root is kept. */
class MemoryChain implements RootChain {
  readonly tracks = new Map<bigint, TrackState>();
  readonly sent: RootUpdate[] = [];
  /** Something else lands this update right after the next read (a racing publisher). */
  raceNextRead: RootUpdate | undefined;
  failNextSubmit: ChainFailure | undefined;

  register(trackId: number): void {
    this.tracks.set(BigInt(trackId), { lastSeq: 0n, latestRoot: undefined });
  }
  async readTrack(trackId: bigint): Promise<TrackState | null> {
    const t = this.tracks.get(trackId);
    const snapshot = t ? { ...t } : null;
    if (this.raceNextRead) {
      this.apply(this.raceNextRead);
      this.raceNextRead = undefined;
    }
    return snapshot;
  }
  async submitRoot(u: RootUpdate): Promise<SubmitOutcome> {
    if (this.failNextSubmit) {
      const f = this.failNextSubmit;
      this.failNextSubmit = undefined;
      throw f;
    }
    const t = this.tracks.get(u.trackId)!;
    if (u.seq <= t.lastSeq) return { status: 'seq_not_increasing' };
    this.apply(u);
    this.sent.push(u);
    return { status: 'landed', signature: `sig-${u.trackId}-${u.seq}`, slot: 7 };
  }
  async checkReady(): Promise<void> {}
  private apply(u: RootUpdate): void {
    this.tracks.set(u.trackId, { lastSeq: u.seq, latestRoot: u.root });
  }
}

describe('PublishRoots', () => {
  let chain: MemoryChain;
  let publisher: PublishRoots;
  const submits: string[] = [];
  beforeEach(() => {
    chain = new MemoryChain();
    chain.register(5);
    chain.register(6);
    submits.length = 0;
    publisher = new PublishRoots(chain, { onSubmit: (_s, o) => submits.push(o) });
  });

  it('sends only the newest root of each track in a batch; the older ones are superseded', async () => {
    const out = await publisher.publish([rec(5, 1), rec(6, 1), rec(5, 2), rec(5, 3)]);
    expect(chain.sent.map((u) => [u.trackId, u.seq])).toEqual([
      [5n, 3n],
      [6n, 1n],
    ]);
    expect(Buffer.from(chain.sent[0]!.root).toString('hex')).toBe(rec(5, 3).root.slice(2));
    expect(chain.sent[0]!.leafCount).toBe(30n);
    expect(out).toEqual([
      { kind: 'skipped', reason: 'superseded' },
      { kind: 'submitted', signature: 'sig-6-1', slot: 7 },
      { kind: 'skipped', reason: 'superseded' },
      { kind: 'submitted', signature: 'sig-5-3', slot: 7 },
    ]);
    expect(submits).toEqual(['landed', 'landed']);
  });

  it('sends nothing for a replay: every seq at or below the Track account last seq is skipped', async () => {
    await publisher.publish([rec(5, 1), rec(5, 2)]);
    chain.sent.length = 0;
    const out = await publisher.publish([rec(5, 1), rec(5, 2)]);
    expect(chain.sent).toEqual([]);
    expect(out).toEqual([
      { kind: 'skipped', reason: 'already_on_chain' },
      { kind: 'skipped', reason: 'already_on_chain' },
    ]);
  });

  it('sends a replayed batch only from the first seq the chain does not have', async () => {
    await publisher.publish([rec(5, 1)]);
    const out = await publisher.publish([rec(5, 1), rec(5, 2)]);
    expect(chain.sent.map((u) => u.seq)).toEqual([1n, 2n]);
    expect(out.map((o) => o.kind)).toEqual(['skipped', 'submitted']);
  });

  it('takes SeqNotIncreasing (another publisher landed it after our read) as done', async () => {
    chain.raceNextRead = {
      trackId: 5n,
      seq: 4n,
      root: Buffer.from(rec(5, 4).root.slice(2), 'hex'),
      leafCount: 40n,
    };
    const out = await publisher.publish([rec(5, 4)]);
    expect(out).toEqual([{ kind: 'skipped', reason: 'seq_not_increasing' }]);
    expect(chain.sent).toEqual([]);
    expect(submits).toEqual(['seq_not_increasing']);
  });

  it('dead-letters the records of a track that is not registered, and still publishes the others', async () => {
    const out = await publisher.publish([rec(9, 1), rec(5, 1), rec(9, 2)]);
    expect(out[0]).toEqual({
      kind: 'dead',
      code: 'unknown_track',
      reason: 'track 9 is not registered on chain (no Track account)',
    });
    expect(out[2]).toMatchObject({ kind: 'dead', code: 'unknown_track' });
    expect(out[1]).toMatchObject({ kind: 'submitted' });
  });

  it('dead-letters a root that differs from the one the chain holds for the same seq', async () => {
    await publisher.publish([rec(5, 1)]);
    const out = await publisher.publish([rec(5, 1, 0xdead)]);
    expect(out).toEqual([
      {
        kind: 'dead',
        code: 'root_conflict',
        reason: expect.stringMatching(
          /^track 5 seq 1: chain holds root 0x0+69 but the registry published 0x0+dead$/,
        ),
      },
    ]);
  });

  it('lets a chain failure propagate after the other tracks finished; a retry sends each root once', async () => {
    chain.failNextSubmit = new ChainFailure('rpc_unreachable', 'Solana RPC unreachable (ECONNREFUSED)');
    await expect(publisher.publish([rec(5, 1), rec(6, 1)])).rejects.toMatchObject({
      reason: 'rpc_unreachable',
    });
    expect(chain.sent.map((u) => u.trackId)).toEqual([6n]); // track 6 landed while track 5 failed
    const out = await publisher.publish([rec(5, 1), rec(6, 1)]);
    expect(out).toEqual([
      { kind: 'submitted', signature: 'sig-5-1', slot: 7 },
      { kind: 'skipped', reason: 'already_on_chain' },
    ]);
    expect(chain.sent.map((u) => u.trackId).sort()).toEqual([5n, 6n]);
  });
});
