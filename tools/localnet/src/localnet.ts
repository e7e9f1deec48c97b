import { LocalChain, type LocalChainOptions } from './chain/local-chain';
import { GeyserServer, type GeyserOptions, type GrpcTls } from './geyser/geyser-server';
import { JsonRpcServer } from './rpc/json-rpc-server';

export interface LocalnetOptions {
  host: string;
  /** gRPC port (0 = any free port). */
  grpcPort: number;
  /** JSON-RPC HTTP port (0 = any free port); pubsub WebSocket listens on rpcPort + 1 (or any free port when 0). */
  rpcPort: number;
  chain: Partial<LocalChainOptions>;
  geyser: Partial<GeyserOptions>;
  allowAirdrop: boolean;
  /** Serve gRPC over TLS (endpoint https://); JSON-RPC stays plain HTTP. */
  grpcTls?: GrpcTls;
}

export const DEFAULT_LOCALNET_OPTIONS: LocalnetOptions = {
  host: '127.0.0.1',
  grpcPort: 10000,
  rpcPort: 8899,
  chain: {},
  geyser: {},
  allowAirdrop: true,
};

/** The local chain with its gRPC and JSON-RPC front ends, started in-process (tests) or by main.ts. */
export class Localnet {
  readonly chain: LocalChain;
  readonly geyser: GeyserServer;
  readonly rpc: JsonRpcServer;
  grpcEndpoint = '';
  rpcUrl = '';
  wsUrl = '';

  private constructor(readonly opts: LocalnetOptions) {
    this.chain = new LocalChain(opts.chain);
    this.geyser = new GeyserServer(this.chain, opts.geyser);
    this.rpc = new JsonRpcServer(this.chain, this.geyser, { allowAirdrop: opts.allowAirdrop });
  }

  static async start(opts: Partial<LocalnetOptions> = {}): Promise<Localnet> {
    const o = { ...DEFAULT_LOCALNET_OPTIONS, ...opts };
    const ln = new Localnet(o);
    const grpcPort = await ln.geyser.listen(o.host, o.grpcPort, o.grpcTls);
    const { port, wsPort } = await ln.rpc.listen(o.host, o.rpcPort, o.rpcPort === 0 ? 0 : o.rpcPort + 1);
    ln.grpcEndpoint = `${o.grpcTls ? 'https' : 'http'}://${o.host}:${grpcPort}`;
    ln.rpcUrl = `http://${o.host}:${port}`;
    ln.wsUrl = `ws://${o.host}:${wsPort}`;
    ln.chain.start();
    return ln;
  }

  async stop(): Promise<void> {
    this.chain.stop();
    await this.geyser.close();
    await this.rpc.close();
  }
}
