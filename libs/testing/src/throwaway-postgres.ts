import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function pgBin(name: string): string {
  const base = '/usr/lib/postgresql';
  const versions = fs.existsSync(base) ? fs.readdirSync(base).sort((a, b) => Number(b) - Number(a)) : [];
  for (const v of versions) {
    const p = path.join(base, v, 'bin', name);
    if (fs.existsSync(p)) return p;
  }
  throw new Error(`PostgreSQL binary ${name} not found (run: bash scripts/infra.sh up)`);
}

/**
 * A private PostgreSQL server that a spec may stop and start (to test outages) without touching
 * the shared one. Runs as the `postgres` user when the tests run as root (initdb refuses root).
 */
export class ThrowawayPostgres {
  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  static async create(): Promise<ThrowawayPostgres> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rv-pg-'));
    const port = await freePort();
    const pg = new ThrowawayPostgres(dir, port);
    if (process.getuid?.() === 0) execFileSync('chown', ['postgres:postgres', dir]);
    pg.run(pgBin('initdb'), ['-D', path.join(dir, 'data'), '-U', 'postgres', '--auth=trust', '-E', 'UTF8']);
    fs.appendFileSync(
      path.join(dir, 'data', 'postgresql.conf'),
      `\nlisten_addresses='127.0.0.1'\nport=${port}\nunix_socket_directories='${dir}'\nfsync=off\n`,
    );
    pg.start();
    return pg;
  }

  private run(bin: string, args: string[]): void {
    const root = process.getuid?.() === 0;
    const r = root
      ? spawnSync('runuser', ['-u', 'postgres', '--', bin, ...args], { encoding: 'utf8' })
      : spawnSync(bin, args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${path.basename(bin)} failed: ${r.stderr || r.stdout}`);
  }

  start(): void {
    this.run(pgBin('pg_ctl'), [
      '-D',
      path.join(this.dir, 'data'),
      '-l',
      path.join(this.dir, 'log'),
      '-w',
      'start',
    ]);
  }

  stop(): void {
    this.run(pgBin('pg_ctl'), ['-D', path.join(this.dir, 'data'), '-m', 'immediate', '-w', 'stop']);
  }

  destroy(): void {
    try {
      this.stop();
    } catch {
      /* already stopped */
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
