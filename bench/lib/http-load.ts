// HTTP load for the benches, with two generators that send the same request mixes:
//  - wrk (native, C + LuaJIT; Debian package `wrk`, installed by scripts/prepare.d/20-bench-wrk.sh
//    where apt is usable): it costs the machine far less CPU per request than a JavaScript
//    generator, which on 2 cores competes with the server it measures (bench merkle reports both
//    as `*_loadgen_cpu_ms_per_req`: 0.04 vs 0.13 ms per 150 KB answer);
//  - autocannon (npm, JavaScript, in the bench process): always available, kept side by side.
// Both are closed-loop (each connection sends its next request when the answer arrived), so at
// `connections` c the mean latency is about c / rps (Little's law).
import { spawn, spawnSync } from 'child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { cpus, tmpdir } from 'os';
import * as path from 'path';

// autocannon ships no types; the few fields used here.
interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as (
  opts: object,
  cb: (err: Error | null, res: AutocannonResult) => void,
) => unknown;

export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  non2xx: number;
  errors: number;
}

/** What each request is (both generators draw from the same mix). */
export type RequestMix =
  /** GET `prefix` + a random integer in [0, max). */
  | { kind: 'get-random'; prefix: string; max: number }
  /** POST `path` with `{"indices":[…count random integers in [0, max)]}` (JSON). */
  | { kind: 'post-indices'; path: string; max: number; count: number }
  /** GET each of `paths` in turn. */
  | { kind: 'get-cycle'; paths: string[] };

export type LoadGenerator = 'wrk' | 'autocannon';

export interface LoadOptions {
  url: string;
  connections: number;
  durationS: number;
  mix: RequestMix;
  /** Sent on every request. */
  headers?: Record<string, string>;
}

let wrkFound: boolean | undefined;
/** Whether the wrk binary is on PATH. */
export function wrkAvailable(): boolean {
  wrkFound ??= spawnSync('wrk', ['--version'], { stdio: 'ignore' }).error === undefined;
  return wrkFound;
}

export function load(generator: LoadGenerator, opts: LoadOptions): Promise<LoadResult> {
  return generator === 'wrk' ? loadWrk(opts) : loadAutocannon(opts);
}

const randomBelow = (max: number): number => Math.floor(Math.random() * max);

/** autocannon in this process, a fresh request from the mix per call. */
function loadAutocannon(opts: LoadOptions): Promise<LoadResult> {
  const { mix } = opts;
  let next = 0;
  const request = (): { method: 'GET' | 'POST'; path: string; body?: string } => {
    switch (mix.kind) {
      case 'get-random':
        return { method: 'GET', path: mix.prefix + String(randomBelow(mix.max)) };
      case 'post-indices':
        return {
          method: 'POST',
          path: mix.path,
          body: JSON.stringify({ indices: Array.from({ length: mix.count }, () => randomBelow(mix.max)) }),
        };
      case 'get-cycle':
        return { method: 'GET', path: mix.paths[next++ % mix.paths.length] as string };
    }
  };
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: opts.url,
        connections: opts.connections,
        duration: opts.durationS,
        requests: [
          {
            setupRequest: (req: Record<string, unknown>) => {
              const r = request();
              return {
                ...req,
                method: r.method,
                path: r.path,
                body: r.body,
                headers: {
                  ...opts.headers,
                  ...(r.body !== undefined ? { 'content-type': 'application/json' } : {}),
                },
              };
            },
          },
        ],
      },
      (err, res) => {
        if (err) return reject(err);
        resolve({
          rps: Math.round(res.requests.average),
          p50: res.latency.p50,
          p99: res.latency.p99,
          requests: res.requests.total,
          non2xx: res.non2xx,
          errors: res.errors,
        });
      },
    );
  });
}

/** What bench/lib/wrk-load.lua prints when done (microseconds). */
interface WrkSummary {
  requests: number;
  duration_us: number;
  p50_us: number;
  p99_us: number;
  connect: number;
  read: number;
  write: number;
  status: number;
  timeout: number;
}

/** wrk as a child process (BENCH_WRK_THREADS threads, default one per core, at most `connections`). */
async function loadWrk(opts: LoadOptions): Promise<LoadResult> {
  const threads = Math.min(opts.connections, Number(process.env.BENCH_WRK_THREADS ?? cpus().length));
  const dir = mkdtempSync(path.join(tmpdir(), 'rv-wrk-'));
  try {
    const { mix } = opts;
    let mixArgs: string[];
    switch (mix.kind) {
      case 'get-random':
        mixArgs = [mix.kind, mix.prefix, String(mix.max)];
        break;
      case 'post-indices':
        mixArgs = [mix.kind, mix.path, String(mix.max), String(mix.count)];
        break;
      case 'get-cycle': {
        const file = path.join(dir, 'paths.txt');
        writeFileSync(file, mix.paths.join('\n') + '\n');
        mixArgs = [mix.kind, file];
        break;
      }
    }
    const args = [
      `-t${threads}`,
      `-c${opts.connections}`,
      `-d${opts.durationS}s`,
      '--timeout',
      '10s',
      ...Object.entries(opts.headers ?? {}).flatMap(([k, v]) => ['-H', `${k}: ${v}`]),
      '-s',
      path.join(__dirname, 'wrk-load.lua'),
      opts.url,
      '--',
      ...mixArgs,
    ];
    const out = await new Promise<string>((resolve, reject) => {
      const proc = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      proc.once('error', reject);
      proc.once('exit', (code) =>
        code === 0 ? resolve(stdout) : reject(new Error(`wrk exited ${code}: ${stderr}${stdout}`)),
      );
    });
    const line = out.split('\n').find((l) => l.startsWith('WRK_RESULT '));
    if (!line) throw new Error(`wrk printed no result: ${out}`);
    const s = JSON.parse(line.slice('WRK_RESULT '.length)) as WrkSummary;
    return {
      rps: Math.round(s.requests / (s.duration_us / 1e6)),
      p50: Math.round(s.p50_us / 10) / 100,
      p99: Math.round(s.p99_us / 10) / 100,
      requests: s.requests,
      non2xx: s.status,
      errors: s.connect + s.read + s.write + s.timeout,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
