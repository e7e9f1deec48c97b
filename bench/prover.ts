// npm run bench -- prover
// Warm ownership proofs through the prover's worker_threads pool (the code apps/prover runs):
// 1 worker and 2 workers (1 bb.js thread each), plus 1 worker with 2 bb.js threads, side by side
// with stock bb.js UltraHonkBackend.generateProof (which rebuilds the verification key per proof).
// Offline with the test CRS. BENCH_SECONDS shortens each closed-loop phase (default 30).
// Last line: one JSON object.
import { UltraHonkBackend } from '@aztec/bb.js';
import { exampleOwnershipWitness, OwnershipProver, ownershipArtifact } from '@rv/zk';
import { ProofPool } from '../apps/prover/src/proving/proof-pool';
import { ensureTestCrs } from '../circuits/scripts/test-crs';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
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

interface Phase {
  latencies: number[];
  witness: number[];
  perMin: number;
}

/** Closed loop: `concurrency` requests always outstanding for SECONDS. */
async function phase(workers: number, threads: number, concurrency: number): Promise<Phase> {
  const pool = new ProofPool({
    size: workers,
    maxQueue: concurrency,
    zk: { crsPath, allowTestCrs: true, threads },
  });
  await pool.start(); // each worker is warmed (one proof + verify)
  const latencies: number[] = [];
  const wit: number[] = [];
  const end = Date.now() + SECONDS * 1000;
  const t0 = Date.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < end) {
        const s = performance.now();
        const r = await pool.prove(witness, Date.now() + 60_000);
        latencies.push(performance.now() - s);
        wit.push(r.witnessMs);
      }
    }),
  );
  const elapsedMin = (Date.now() - t0) / 60_000;
  await pool.close();
  return { latencies, witness: wit, perMin: latencies.length / elapsedMin };
}

async function main(): Promise<void> {
  console.log(`prover bench: ${SECONDS} s per phase, test CRS in ${crsPath}`);

  const one = await phase(1, 1, 1);
  console.log(
    `1 worker x 1 thread: ${one.latencies.length} proofs, p50 ${r1(pct(one.latencies, 50))} ms, p95 ${r1(pct(one.latencies, 95))} ms, ${r1(one.perMin)}/min`,
  );
  const two = await phase(2, 1, 2);
  console.log(
    `2 workers x 1 thread: ${two.latencies.length} proofs, p50 ${r1(pct(two.latencies, 50))} ms, ${r1(two.perMin)}/min`,
  );
  const oneT2 = await phase(1, 2, 1);
  console.log(
    `1 worker x 2 threads: ${oneT2.latencies.length} proofs, p50 ${r1(pct(oneT2.latencies, 50))} ms, ${r1(oneT2.perMin)}/min`,
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
  const { witness: compressed } = await new (await import('@noir-lang/noir_js')).Noir(
    ownershipArtifact,
  ).execute({
    secret: '0x' + witness.secret.toString(16),
    token: '0x' + witness.token.toString(16),
    leaf_index: '0x' + witness.leafIndex.toString(16),
    siblings: witness.siblings.map((s) => '0x' + s.toString(16)),
    root: '0x' + witness.root.toString(16),
    track_id: '0x' + witness.trackId.toString(16),
    scope: '0x' + witness.scope.toString(16),
    nullifier: '0x' + witness.nullifier.toString(16),
  });
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
    prove_p50_ms: r1(pct(one.latencies, 50)),
    prove_p95_ms: r1(pct(one.latencies, 95)),
    verify_ms: r1(pct(verifies, 50)),
    proofs_per_min_1w: r1(one.perMin),
    proofs_per_min_2w: r1(two.perMin),
    witness_ms: r1(pct(one.witness, 50)),
    peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
    prove_p50_ms_1w_2threads: r1(pct(oneT2.latencies, 50)),
    proofs_per_min_1w_2threads: r1(oneT2.perMin),
    stock_backend_prove_p50_ms: r1(pct(stockProve, 50)),
    stock_backend_verify_ms: r1(pct(stockVerify, 50)),
    proof_bytes: proof.proof.length,
    cores: (await import('os')).cpus().length,
  };
  console.log(JSON.stringify(figures));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
