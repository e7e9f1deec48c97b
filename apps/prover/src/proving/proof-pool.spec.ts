import { waitFor } from '@rv/testing';
import { ConstraintError, exampleOwnershipWitness } from '@rv/zk';
import { ensureTestCrs } from '../../../../circuits/scripts/test-crs';
import { DeadlineExceededError, ProofPool, ProverUnavailableError, QueueFullError } from './proof-pool';

const crsPath = ensureTestCrs();
const witness = exampleOwnershipWitness({
  secret: 77n,
  token: 1n,
  trackId: 2n,
  scope: 3n,
  depth: 20,
  index: 1,
});

describe('ProofPool (real worker_threads + bb.js, test CRS)', () => {
  let pool: ProofPool;
  const depths: number[] = [];
  beforeAll(async () => {
    pool = new ProofPool({
      size: 1,
      maxQueue: 1,
      zk: { crsPath, allowTestCrs: true },
      observer: { queueDepth: (d) => depths.push(d) },
    });
    await pool.start();
  }, 120_000);
  afterAll(async () => pool?.close());

  it('proves in a worker; constraint failures come back typed', async () => {
    const r = await pool.prove(witness, Date.now() + 30_000);
    expect(r.publicInputs.nullifier).toBe(witness.nullifier);
    await expect(pool.prove({ ...witness, nullifier: 1n }, Date.now() + 30_000)).rejects.toEqual(
      new ConstraintError('nullifier'),
    );
  }, 60_000);

  it('bounds the queue: one proving, one waiting, the next refused with a Retry-After estimate', async () => {
    const first = pool.prove(witness, Date.now() + 30_000);
    const second = pool.prove(witness, Date.now() + 30_000);
    const third = pool.prove(witness, Date.now() + 30_000);
    await expect(third).rejects.toBeInstanceOf(QueueFullError);
    await expect(third.catch((e: QueueFullError) => e.retryAfterSeconds)).resolves.toBeGreaterThanOrEqual(1);
    expect(Math.max(...depths)).toBe(1);
    await Promise.all([first, second]);
    expect(pool.queued).toBe(0);
  }, 60_000);

  it('a request whose deadline passes while queued never reaches a worker', async () => {
    const running = pool.prove(witness, Date.now() + 30_000);
    await expect(pool.prove(witness, Date.now() + 50)).rejects.toEqual(new DeadlineExceededError('queued'));
    await running;
  }, 60_000);

  it('a worker that dies fails its request and is replaced', async () => {
    const inFlight = pool.prove(witness, Date.now() + 30_000);
    // Simulate a crash of the only worker (e.g. a wasm abort or OOM).
    const slots = (pool as unknown as { slots: Array<{ worker: { terminate(): Promise<number> } }> }).slots;
    await slots[0]!.worker.terminate();
    await expect(inFlight).rejects.toBeInstanceOf(ProverUnavailableError);
    await waitFor(() => pool.running === 1, { timeoutMs: 60_000, what: 'replacement worker' });
    await expect(pool.prove(witness, Date.now() + 30_000)).resolves.toBeDefined();
  }, 120_000);
});
