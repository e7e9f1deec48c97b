import { extname, join } from 'path';
import { Worker } from 'worker_threads';
import {
  ConstraintError,
  ZkInputError,
  type OwnershipPublicInputs,
  type OwnershipWitnessInputs,
} from '@rv/zk';
import type { ProveReply, ProveRequest, WorkerStatus, WorkerZkOptions } from './proof-worker-protocol';

export interface PoolProof {
  proof: Uint8Array;
  publicInputs: OwnershipPublicInputs;
  witnessMs: number;
  proveMs: number;
  /** Time spent waiting for a worker. */
  queuedMs: number;
}

/** The queue is full: answer 503 with Retry-After. */
export class QueueFullError extends Error {
  override readonly name = 'QueueFullError';
  constructor(readonly retryAfterSeconds: number) {
    super('the prover queue is full');
  }
}

/** The request's deadline passed before its proof was ready. */
export class DeadlineExceededError extends Error {
  override readonly name = 'DeadlineExceededError';
  constructor(readonly stage: 'queued' | 'proving') {
    super(`deadline exceeded while ${stage}`);
  }
}

/** The pool could not prove (worker failure, shutting down). */
export class ProverUnavailableError extends Error {
  override readonly name = 'ProverUnavailableError';
}

export interface PoolObserver {
  queueDepth?(depth: number): void;
  busyWorkers?(busy: number, size: number): void;
}

export interface ProofPoolOptions {
  /** Number of worker threads (each with its own bb.js instance). */
  size: number;
  /** Requests allowed to wait for a worker; beyond that, QueueFullError. */
  maxQueue: number;
  zk: WorkerZkOptions;
  observer?: PoolObserver;
  /** Upper bound for one worker's start (wasm compile + CRS + warm-up proof). */
  startTimeoutMs?: number;
}

interface Task {
  id: number;
  inputs: OwnershipWitnessInputs;
  enqueuedAt: number;
  startedAt?: number;
  settled: boolean;
  timer?: NodeJS.Timeout;
  resolve(p: PoolProof): void;
  reject(e: Error): void;
}

interface Slot {
  worker: Worker;
  task?: Task;
}

/**
 * A bounded pool of proving workers (worker_threads), each warmed at start (one proof + verify).
 * Requests beyond `size` wait in a queue of at most `maxQueue`; past that the pool refuses
 * (QueueFullError) instead of queueing without bound.
 */
export class ProofPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Task[] = [];
  private nextId = 1;
  private closed = false;
  private avgProofMs = 1000;
  vkHash = '';
  crsKind = '';

  constructor(private readonly opts: ProofPoolOptions) {}

  get size(): number {
    return this.opts.size;
  }

  /** Workers started and not exited. */
  get running(): number {
    return this.slots.length;
  }

  get queued(): number {
    return this.queue.length;
  }

  get busy(): number {
    return this.slots.filter((s) => s.task).length;
  }

  /** Starts and warms every worker; rejects if any fails (e.g. the CRS guard). */
  async start(): Promise<void> {
    await Promise.all(Array.from({ length: this.opts.size }, () => this.spawn()));
    this.report();
  }

  private spawn(): Promise<Slot> {
    const ext = extname(__filename);
    const file = join(__dirname, `proof.worker${ext}`);
    const worker = new Worker(file, {
      workerData: this.opts.zk,
      execArgv: ext === '.ts' ? ['-r', '@swc-node/register'] : [],
    });
    const slot: Slot = { worker };
    return new Promise<Slot>((resolve, reject) => {
      const timer = setTimeout(() => {
        void worker.terminate();
        reject(new ProverUnavailableError('proving worker did not start in time'));
      }, this.opts.startTimeoutMs ?? 120_000);
      const onStatus = (msg: WorkerStatus): void => {
        clearTimeout(timer);
        worker.off('message', onStatus);
        if (msg.type === 'failed') {
          void worker.terminate();
          reject(new ProverUnavailableError(msg.message));
          return;
        }
        this.vkHash = msg.vkHash;
        this.crsKind = msg.crsKind;
        worker.on('message', (reply: ProveReply) => this.onReply(slot, reply));
        this.slots.push(slot);
        this.dispatch();
        resolve(slot);
      };
      worker.on('message', onStatus);
      worker.once('error', (err) => {
        clearTimeout(timer);
        reject(new ProverUnavailableError(`proving worker failed: ${err.message}`));
      });
      worker.once('exit', () => this.onExit(slot));
    });
  }

  private onExit(slot: Slot): void {
    const i = this.slots.indexOf(slot);
    if (i < 0) return;
    this.slots.splice(i, 1);
    if (slot.task) this.settle(slot.task, new ProverUnavailableError('proving worker exited'));
    if (!this.closed) {
      this.spawn().catch(() => undefined); // replace it; a failed replacement leaves the pool smaller
    }
  }

  /** Proves in a worker. `deadlineAt` is an absolute Date.now() time. */
  prove(inputs: OwnershipWitnessInputs, deadlineAt: number): Promise<PoolProof> {
    if (this.closed) return Promise.reject(new ProverUnavailableError('prover is shutting down'));
    if (this.slots.length === 0)
      return Promise.reject(new ProverUnavailableError('no proving worker is running'));
    const idle = this.slots.some((s) => !s.task);
    if (!idle && this.queue.length >= this.opts.maxQueue) {
      return Promise.reject(new QueueFullError(this.retryAfterSeconds()));
    }
    return new Promise<PoolProof>((resolve, reject) => {
      const task: Task = {
        id: this.nextId++,
        inputs,
        enqueuedAt: Date.now(),
        settled: false,
        resolve,
        reject,
      };
      task.timer = setTimeout(
        () => {
          const q = this.queue.indexOf(task);
          if (q >= 0) this.queue.splice(q, 1);
          this.settle(task, new DeadlineExceededError(q >= 0 ? 'queued' : 'proving'));
          this.report();
        },
        Math.max(0, deadlineAt - Date.now()),
      );
      this.queue.push(task);
      this.dispatch();
    });
  }

  /** Seconds until a queued request would likely get a worker. */
  retryAfterSeconds(): number {
    const waiting = this.queue.length + this.busy;
    return Math.max(1, Math.ceil((waiting * this.avgProofMs) / Math.max(1, this.slots.length) / 1000));
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (slot.task) continue;
      const task = this.queue.shift();
      if (!task) break;
      slot.task = task;
      task.startedAt = Date.now();
      // Clone-on-send; this thread keeps no copy beyond the task (dropped when settled).
      slot.worker.postMessage({ id: task.id, op: 'prove', inputs: task.inputs } satisfies ProveRequest);
    }
    this.report();
  }

  private onReply(slot: Slot, reply: ProveReply): void {
    const task = slot.task;
    slot.task = undefined;
    if (task && task.id === reply.id) {
      if (reply.ok) {
        this.avgProofMs = this.avgProofMs * 0.8 + (reply.witnessMs + reply.proveMs) * 0.2;
        this.settle(task, null, {
          proof: reply.proof,
          publicInputs: reply.publicInputs,
          witnessMs: reply.witnessMs,
          proveMs: reply.proveMs,
          queuedMs: (task.startedAt ?? task.enqueuedAt) - task.enqueuedAt,
        });
      } else {
        const e = reply.error;
        this.settle(
          task,
          e.kind === 'constraint'
            ? new ConstraintError(e.reason)
            : e.kind === 'input'
              ? new ZkInputError(e.message)
              : new ProverUnavailableError(e.message),
        );
      }
    }
    this.dispatch();
  }

  private settle(task: Task, err: Error | null, value?: PoolProof): void {
    if (task.settled) return;
    task.settled = true;
    clearTimeout(task.timer);
    (task as { inputs?: unknown }).inputs = undefined;
    if (err) task.reject(err);
    else task.resolve(value!);
  }

  private report(): void {
    this.opts.observer?.queueDepth?.(this.queue.length);
    this.opts.observer?.busyWorkers?.(this.busy, this.slots.length);
  }

  /** Refuses new work, fails what is queued, waits for in-flight proofs, stops the workers. */
  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.queue.splice(0))
      this.settle(t, new ProverUnavailableError('prover is shutting down'));
    const deadline = Date.now() + 30_000;
    while (this.busy > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await Promise.all(this.slots.splice(0).map((s) => s.worker.terminate()));
  }
}
