import { ChildProcess, spawn } from 'child_process';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..', '..', '..');

export interface SpawnedApp {
  proc: ChildProcess;
  /** Everything written so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or signal name). */
  exited: Promise<number | string>;
  /** Resolves with the URL the app printed when it started listening. */
  listening(timeoutMs?: number): Promise<string>;
}

/** Starts `apps/<app>/src/main.ts` as its own process (TypeScript through @swc-node/register). */
export function spawnApp(app: string, env: Record<string, string>): SpawnedApp {
  const proc = spawn(
    process.execPath,
    ['-r', '@swc-node/register', path.join(ROOT, 'apps', app, 'src', 'main.ts')],
    {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        TS_NODE_PROJECT: path.join(ROOT, 'tsconfig.json'),
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  let err = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | string>((resolve) =>
    proc.once('exit', (code, sig) => resolve(code ?? sig ?? -1)),
  );
  return {
    proc,
    stdout: () => out,
    stderr: () => err,
    exited,
    listening: (timeoutMs = 30000) =>
      new Promise<string>((resolve, reject) => {
        const started = Date.now();
        const tick = setInterval(() => {
          const m = /listening on (http:\/\/[^\s"]+)/.exec(out);
          if (m) {
            clearInterval(tick);
            resolve(m[1]!);
          } else if (proc.exitCode !== null || Date.now() - started > timeoutMs) {
            clearInterval(tick);
            reject(new Error(`${app} did not start listening: ${err.slice(-2000)} ${out.slice(-2000)}`));
          }
        }, 50);
      }),
  };
}
