import { spawn as spawnProcess, type ChildProcess } from 'child_process';
import * as net from 'net';
import * as path from 'path';

/** A free TCP port on 127.0.0.1 (best effort: it can be taken again before use). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

export interface SpawnedLocalnet {
  child: ChildProcess;
  rpc: string;
  grpc: string;
  stop(): void;
}

/**
 * Starts `npm run localnet` (tools/localnet/src/main.ts) as a child process on free ports, for
 * benchmarks that must not share an event loop with the local chain. `env` overrides RV_LOCALNET_*.
 */
export async function spawnLocalnet(env: Record<string, string> = {}): Promise<SpawnedLocalnet> {
  const grpcPort = await freePort();
  let rpcPort = await freePort();
  while (rpcPort >= 65534) rpcPort = await freePort();
  const child = spawnProcess(
    process.execPath,
    ['-r', '@swc-node/register', path.join(__dirname, 'main.ts')],
    {
      env: {
        ...process.env,
        RV_LOCALNET_GRPC_PORT: String(grpcPort),
        RV_LOCALNET_RPC_PORT: String(rpcPort),
        ...env,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`localnet exited with ${code}`)));
    child.stdout?.on('data', (b: Buffer) => {
      if (b.toString().includes('localnet up')) resolve();
    });
  });
  return {
    child,
    rpc: `http://127.0.0.1:${rpcPort}`,
    grpc: `${env.RV_LOCALNET_GRPC_TLS_CERT_FILE ? 'https' : 'http'}://127.0.0.1:${grpcPort}`,
    stop: () => void child.kill('SIGTERM'),
  };
}
