import { localnetConfig } from './config';
import { Localnet } from './localnet';

async function main(): Promise<void> {
  const ln = await Localnet.start(localnetConfig(process.env));
  const o = ln.chain.opts;
  process.stdout.write(
    JSON.stringify({
      msg: 'localnet up',
      grpc: ln.grpcEndpoint,
      rpc: ln.rpcUrl,
      ws: ln.wsUrl,
      slotMs: o.slotMs,
      confirmDepth: o.confirmDepth,
      finalizeDepth: o.finalizeDepth,
      replayWindow: ln.geyser.log.window,
    }) + '\n',
  );
  let stopping = false;
  const shutdown = () => {
    if (stopping) return; // a repeated signal must not kill the process mid-stop
    stopping = true;
    void ln.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).message}\n`);
  process.exit(1);
});
