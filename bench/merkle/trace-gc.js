// Preloaded into the registry by bench/merkle.ts when BENCH_REGISTRY_TRACE_GC=1 (NODE_OPTIONS
// accepts no --trace-gc): V8 then prints one line per GC pause on stdout, which the bench sums.
require('v8').setFlagsFromString('--trace-gc');
