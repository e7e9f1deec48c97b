// npm run bench -- prover
// Warm ownership proofs through the prover's worker_threads pool (the code apps/prover runs),
// offline with the test CRS:
// - latency: 1 worker x 1 bb.js thread and 1 worker x 2 bb.js threads, interleaved in 5 s slices
//   so that both see the same machine load (these machines are shared and noisy);
// - throughput: 1 worker x 1 thread (from the slices above) and 2 workers x 1 thread;
// - where a proof's time goes (bb.js's own progress lines, timestamped);
// - side by side with stock bb.js UltraHonkBackend.generateProof (which rebuilds the verification
//   key per proof).
// `prove_p50_ms` / `prove_p95_ms` are those of apps/prover's default shape on this machine
// (PROVER_WORKERS=1, PROVER_BB_THREADS unset = cores / workers); the other shapes are named.
// BENCH_SECONDS shortens each measured phase (default 30). Last line: one JSON object.
import { loadavg } from 'os';
import { UltraHonkBackend } from '@aztec/bb.js';
import { exampleOwnershipWitness, OwnershipProver, ownershipArtifact } from '@rv/zk';
import { defaultBbThreads } from '../apps/prover/src/proving/bb-threads';
import { ProofPool } from '../apps/prover/src/proving/proof-pool';
import { ensureTestCrs } from '../circuits/scripts/test-crs';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const SLICE_MS = 5000;
const crsPath = ensureTestCrs();
const witness = exampleOwnershipWitness({
  secret: 0xbe7c4n,
  token: 0x70c3n,
  trackId: 5n,
  scope: 11n,
  depth: 20,
  index: 6,
  leafCount: 12,
});

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const r1 = (x: number): number => Math.round(x * 10) / 10;
const load = (): number => r1(loadavg()[0]!);

interface Phase {
  latencies: number[];
  witness: number[];
  busyMs: number;
}
const emptyPhase = (): Phase => ({ latencies: [], witness: [], busyMs: 0 });
const perMin = (p: Phase): number => p.latencies.length / (p.busyMs / 60_000);

async function startPool(workers: number, threads: number): Promise<ProofPool> {
  const pool = new ProofPool({
    size: workers,
    maxQueue: workers,
    zk: { crsPath, allowTestCrs: true, threads },
  });
  await pool.start(); // each worker is warmed (one proof + verify)
  return pool;
}

/** Closed loop: `concurrency` requests always outstanding for `ms`; adds to `into`. */
async function run(pool: ProofPool, concurrency: number, ms: number, into: Phase): Promise<void> {
  const end = Date.now() + ms;
  const t0 = Date.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < end) {
        const s = performance.now();
        const r = await pool.prove(witness, Date.now() + 60_000);
        into.latencies.push(performance.now() - s);
        into.witness.push(r.witnessMs);
      }
    }),
  );
  into.busyMs += Date.now() - t0;
}

/** Median duration of each stage of bb.js's UltraHonk prover, from its own progress lines. */
async function stages(threads: number, proofs: number): Promise<Record<string, number>> {
  const marks: Array<[number, string]> = [];
  const prover = await OwnershipProver.create({
    crsPath,
    allowTestCrs: true,
    threads,
    logger: (msg) => marks.push([performance.now(), msg]),
  });
  const names: Array<[string, RegExp]> = [
    ['circuit_and_proving_key', /time to construct proving key/],
    ['oink', /created oink proof/],
    ['sumcheck', /completed \d+ rounds of sumcheck/],
    ['gemini_shplemini', /multivariate-to-univariate reduction/],
    ['kzg_opening', /computed opening proof/],
  ];
  const per: Record<string, number[]> = Object.fromEntries(names.map(([n]) => [n, []]));
  for (let i = 0; i < proofs; i++) {
    marks.length = 0;
    const start = performance.now();
    await prover.prove(witness);
    let prev = start;
    for (const [name, re] of names) {
      const at = marks.find(([, m]) => re.test(m))?.[0];
      if (at === undefined) continue;
      per[name]!.push(at - prev);
      prev = at;
    }
  }
  await prover.destroy();
  return Object.fromEntries(Object.entries(per).map(([n, xs]) => [n, r1(pct(xs, 50))]));
}

async function main(): Promise<void> {
  const loadStart = load();
  const defaultThreads = defaultBbThreads(1);
  console.log(
    `prover bench: ${SECONDS} s per shape, test CRS in ${crsPath}, default shape 1 worker x ${defaultThreads} bb.js threads, load ${loadStart}`,
  );

  // Latency: 1x1 and 1x2 interleaved.
  const oneT1 = emptyPhase();
  const oneT2 = emptyPhase();
  const poolT1 = await startPool(1, 1);
  const poolT2 = await startPool(1, 2);
  for (let spent = 0; spent < SECONDS * 1000; spent += SLICE_MS) {
    const slice = Math.min(SLICE_MS, SECONDS * 1000 - spent);
    await run(poolT1, 1, slice, oneT1);
    await run(poolT2, 1, slice, oneT2);
  }
  await poolT1.close();
  await poolT2.close();
  for (const [label, p] of [
    ['1 worker x 1 thread ', oneT1],
    ['1 worker x 2 threads', oneT2],
  ] as const) {
    console.log(
      `${label}: ${p.latencies.length} proofs, p50 ${r1(pct(p.latencies, 50))} ms, p95 ${r1(pct(p.latencies, 95))} ms, ${r1(perMin(p))}/min`,
    );
  }
  const byThreads: Record<number, Phase> = { 1: oneT1, 2: oneT2 };
  const headline = byThreads[defaultThreads] ?? oneT1;

  // Throughput: 2 workers x 1 thread, 2 requests outstanding.
  const two = emptyPhase();
  const poolW2 = await startPool(2, 1);
  await run(poolW2, 2, SECONDS * 1000, two);
  await poolW2.close();
  console.log(
    `2 workers x 1 thread: ${two.latencies.length} proofs, p50 ${r1(pct(two.latencies, 50))} ms, ${r1(perMin(two))}/min`,
  );

  const stages1 = await stages(1, 5);
  const stages2 = await stages(2, 5);
  console.log(
    `bb.js stages (ms, median): 1 thread ${JSON.stringify(stages1)}; 2 threads ${JSON.stringify(stages2)}`,
  );

  // Verification (this thread's OwnershipProver, cached verification key) and the stock peer.
  const prover = await OwnershipProver.create({ crsPath, allowTestCrs: true });
  const proof = await prover.prove(witness);
  const verifies: number[] = [];
  for (let i = 0; i < 30; i++) {
    const s = performance.now();
    if (!(await prover.verify(proof.proof, proof.publicInputs))) throw new Error('proof does not verify');
    verifies.push(performance.now() - s);
  }
  const compressed = await prover.witness(witness);
  const stock = new UltraHonkBackend(ownershipArtifact.bytecode, { threads: 1, crsPath });
  const stockProve: number[] = [];
  const stockVerify: number[] = [];
  let stockProof = await stock.generateProof(compressed, { keccakZK: true }); // warm
  for (let i = 0; i < 5; i++) {
    const s = performance.now();
    stockProof = await stock.generateProof(compressed, { keccakZK: true });
    stockProve.push(performance.now() - s);
    const v = performance.now();
    if (!(await stock.verifyProof(stockProof, { keccakZK: true })))
      throw new Error('stock proof does not verify');
    stockVerify.push(performance.now() - v);
  }
  await stock.destroy();
  await prover.destroy();

  const figures = {
    bench: 'prover',
    backend: 'wasm',
    seconds_per_phase: SECONDS,
    default_shape: `1w x ${defaultThreads}t`,
    prove_p50_ms: r1(pct(headline.latencies, 50)),
    prove_p95_ms: r1(pct(headline.latencies, 95)),
    verify_ms: r1(pct(verifies, 50)),
    proofs_per_min_1w: r1(perMin(oneT1)),
    proofs_per_min_2w: r1(perMin(two)),
    witness_ms: r1(pct(headline.witness, 50)),
    peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
    prove_p50_ms_1w_1thread: r1(pct(oneT1.latencies, 50)),
    prove_p95_ms_1w_1thread: r1(pct(oneT1.latencies, 95)),
    prove_p50_ms_1w_2threads: r1(pct(oneT2.latencies, 50)),
    prove_p95_ms_1w_2threads: r1(pct(oneT2.latencies, 95)),
    proofs_per_min_1w_2threads: r1(perMin(oneT2)),
    prove_p50_ms_2w: r1(pct(two.latencies, 50)),
    stages_ms_1thread: stages1,
    stages_ms_2threads: stages2,
    stock_backend_prove_p50_ms: r1(pct(stockProve, 50)),
    stock_backend_verify_ms: r1(pct(stockVerify, 50)),
    proof_bytes: proof.proof.length,
    circuit_gates: prover.circuitSize.gates,
    circuit_dyadic_size: prover.circuitSize.dyadicSize,
    cores: (await import('os')).availableParallelism(),
    load_1m_start: loadStart,
    load_1m_end: load(),
  };
  console.log(JSON.stringify(figures));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
