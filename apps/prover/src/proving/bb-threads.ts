import { availableParallelism } from 'os';

/**
 * bb.js wasm threads per proving worker when PROVER_BB_THREADS is unset: the CPU cores divided
 * among the workers, at least 1. One worker on 2 cores proves with 2 threads (8,192 rows: ~690 ms
 * instead of ~970 ms, interleaved bench at load ≈ 3.5, circuits/README.md "Measured"); 2 workers
 * get 1 thread each, so the workers never oversubscribe the cores between them.
 */
export function defaultBbThreads(workers: number, cores: number = availableParallelism()): number {
  return Math.max(1, Math.floor(cores / Math.max(1, workers)));
}
