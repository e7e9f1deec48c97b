// One proving worker (worker_threads): owns a warmed OwnershipProver and proves one request at a
// time. Inputs arrive by structured clone; nothing here logs or keeps them.
import { parentPort, workerData } from 'worker_threads';
import { ConstraintError, OwnershipProver, ZkInputError } from '@rv/zk';
import type { ProveReply, ProveRequest, WorkerStatus, WorkerZkOptions } from './proof-worker-protocol';

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('proof.worker must run in a worker thread');
  let prover: OwnershipProver;
  try {
    prover = await OwnershipProver.create({ ...(workerData as WorkerZkOptions), warmUp: true });
  } catch (e) {
    port.postMessage({
      type: 'failed',
      message: e instanceof Error ? e.message : String(e),
    } satisfies WorkerStatus);
    return;
  }
  port.on('message', (req: ProveRequest) => {
    void (async () => {
      let reply: ProveReply;
      try {
        const r = await prover.prove(req.inputs);
        reply = {
          id: req.id,
          ok: true,
          proof: r.proof,
          publicInputs: r.publicInputs,
          witnessMs: r.witnessMs,
          proveMs: r.proveMs,
        };
      } catch (e) {
        reply = {
          id: req.id,
          ok: false,
          error:
            e instanceof ConstraintError
              ? { kind: 'constraint', reason: e.reason }
              : e instanceof ZkInputError
                ? { kind: 'input', message: e.message }
                : {
                    kind: 'internal',
                    message: `proving failed: ${String(e instanceof Error ? e.message : e)
                      .split('\n')[0]!
                      .slice(0, 200)}`,
                  },
        };
      }
      port.postMessage(reply, reply.ok ? [reply.proof.buffer as ArrayBuffer] : []);
    })();
  });
  port.postMessage({
    type: 'ready',
    vkHash: prover.verificationKeyHash(),
    crsKind: prover.crsKind,
  } satisfies WorkerStatus);
}

void main();
