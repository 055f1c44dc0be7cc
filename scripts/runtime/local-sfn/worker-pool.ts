import { randomUUID } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { LambdaTaskError, lambdaTaskError, type LambdaErrorReport } from './task-errors.ts';
import {
  heapFigures,
  residentTotal,
  usedTotal,
  type HeapFigures,
  type TaskMemoryOptions,
} from './task-memory.ts';

const WORKER_BOOTSTRAP = new URL('./handler-worker.mjs', import.meta.url);

export interface HandlerInvocation {
  /** file: URL of the handler module. */
  readonly moduleUrl: string;
  readonly exportName: string;
  readonly functionName: string;
  readonly invokedFunctionArn: string;
  readonly eventJson: string;
  readonly timeoutMs: number;
  /** The function's own environment, set in the worker for this invocation. */
  readonly env?: Readonly<Record<string, string>>;
}

export interface WorkerPoolOptions {
  readonly size: number;
  readonly env?: Readonly<Record<string, string>>;
  readonly onOutput?: (text: string, stream: 'stdout' | 'stderr') => void;
  /** Measure each invocation's memory in its worker (task-memory.ts); off by default. */
  readonly memory?: TaskMemoryOptions;
}

interface QueuedInvocation {
  readonly invocation: HandlerInvocation;
  readonly resolve: (resultJson: string) => void;
  readonly reject: (error: Error) => void;
}

interface ActiveInvocation extends QueuedInvocation {
  readonly id: string;
  readonly timer: NodeJS.Timeout;
  /** With a memory hook: set once the worker has collected garbage and started the handler. */
  memory?: { peakUsed: number; peakResident: number; samples: number };
}

interface PooledWorker {
  readonly worker: Worker;
  ready: boolean;
  active?: ActiveInvocation;
  crash?: Error;
  /** A getHeapStatistics() call is in flight (samples never queue up behind a busy isolate). */
  sampling?: boolean;
}

interface InvocationMemory {
  readonly gcMs: number;
  readonly seconds: number;
  readonly start: HeapFigures;
  readonly end: HeapFigures;
  readonly succeeded: boolean;
}

type WorkerMessage =
  | { readonly ready: true }
  | { readonly id: string; readonly measuring: HeapFigures }
  | { readonly id: string; readonly resultJson: string; readonly memory?: InvocationMemory }
  | { readonly id: string; readonly error: LambdaErrorReport; readonly memory?: InvocationMemory };

/**
 * Worker threads that run handler invocations one at a time each, like Lambda containers, so a Map
 * with MaxConcurrency > 1 uses every core. Workers start on demand up to `size` and are replaced
 * when one crashes or overruns its timeout (it is terminated, as Lambda kills a timed-out sandbox).
 */
export class HandlerWorkerPool {
  private readonly workers = new Set<PooledWorker>();
  private readonly idle: PooledWorker[] = [];
  private readonly queue: QueuedInvocation[] = [];
  private closed = false;
  private startupFailure: Error | undefined;
  private preload: readonly string[] = [];
  private sampler: NodeJS.Timeout | undefined;

  constructor(private readonly options: WorkerPoolOptions) {
    if (!Number.isInteger(options.size) || options.size < 1) {
      throw new Error(`worker pool size must be a positive integer, got ${options.size}`);
    }
  }

  /** Resolves with the handler's result as JSON text; rejects with a LambdaTaskError. */
  invoke(invocation: HandlerInvocation): Promise<string> {
    if (this.closed) return Promise.reject(new Error('the handler worker pool is closed'));
    if (this.startupFailure) return Promise.reject(this.startupFailure);
    return new Promise((resolve, reject) => {
      this.queue.push({ invocation, resolve, reject });
      this.dispatch();
    });
  }

  /**
   * Starts every worker now, so their start-up overlaps whatever the caller does meanwhile; each
   * worker then imports `preload` (handler module URLs) before its first invocation needs them.
   * Not while memory is measured: an import running beside a Task would count in its heap.
   */
  warmUp(preload: readonly string[] = []): void {
    if (!this.options.memory) this.preload = preload;
    while (!this.closed && this.workers.size < this.options.size) this.spawn();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.sampler) clearInterval(this.sampler);
    const closedError = new Error('the handler worker pool closed');
    for (const queued of this.queue.splice(0)) queued.reject(closedError);
    for (const pooled of this.workers) {
      // Invocations of an aborted execution may still run; their timers must not keep Node alive.
      if (pooled.active) clearTimeout(pooled.active.timer);
      pooled.active?.reject(closedError);
      pooled.active = undefined;
    }
    await Promise.all([...this.workers].map((pooled) => this.retire(pooled)));
  }

  private dispatch(): void {
    while (this.queue.length > 0 && this.idle.length > 0) {
      this.start(this.idle.pop()!, this.queue.shift()!);
    }
    // Workers still starting will each take one queued invocation when they report ready.
    let starting = 0;
    for (const pooled of this.workers) if (!pooled.ready) starting++;
    for (let wanted = this.queue.length - starting; wanted > 0; wanted--) {
      if (this.workers.size >= this.options.size) return;
      this.spawn();
    }
  }

  private spawn(): void {
    const capture = this.options.onOutput !== undefined;
    const worker = new Worker(WORKER_BOOTSTRAP, {
      env: { ...process.env, ...this.options.env },
      stdout: capture,
      stderr: capture,
    });
    const pooled: PooledWorker = { worker, ready: false };
    this.workers.add(pooled);
    if (capture) {
      worker.stdout.on('data', (chunk: Buffer) =>
        this.options.onOutput?.(chunk.toString(), 'stdout'),
      );
      worker.stderr.on('data', (chunk: Buffer) =>
        this.options.onOutput?.(chunk.toString(), 'stderr'),
      );
    }
    worker.on('message', (message: WorkerMessage) => this.onMessage(pooled, message));
    worker.on('error', (error) => (pooled.crash = error));
    worker.on('exit', (code) => this.onExit(pooled, code));
  }

  private onMessage(pooled: PooledWorker, message: WorkerMessage): void {
    if ('ready' in message) {
      pooled.ready = true;
      if (this.preload.length > 0) pooled.worker.postMessage({ preload: this.preload });
      this.makeIdle(pooled);
      return;
    }
    const active = pooled.active;
    if (!active || active.id !== message.id) return;
    if ('measuring' in message) {
      const start = message.measuring;
      active.memory = {
        peakUsed: usedTotal(start),
        peakResident: residentTotal(start),
        samples: 0,
      };
      return;
    }
    clearTimeout(active.timer);
    pooled.active = undefined;
    if (message.memory) this.reportMemory(active, message.memory);
    if ('error' in message) active.reject(new LambdaTaskError(message.error));
    else active.resolve(message.resultJson);
    this.makeIdle(pooled);
  }

  private onExit(pooled: PooledWorker, code: number): void {
    this.workers.delete(pooled);
    const idleAt = this.idle.indexOf(pooled);
    if (idleAt >= 0) this.idle.splice(idleAt, 1);
    if (this.closed) return;
    const reason = pooled.crash?.stack ?? `exit code ${code}`;
    if (pooled.active) {
      clearTimeout(pooled.active.timer);
      pooled.active.reject(lambdaTaskError('Runtime.ExitError', `handler worker died: ${reason}`));
      pooled.active = undefined;
    }
    if (!pooled.ready) {
      // A worker that cannot even start would be respawned forever; fail everything instead.
      this.startupFailure = new Error(`a handler worker failed to start: ${reason}`);
      for (const queued of this.queue.splice(0)) queued.reject(this.startupFailure);
      return;
    }
    this.dispatch();
  }

  private makeIdle(pooled: PooledWorker): void {
    if (this.closed) return;
    this.idle.push(pooled);
    this.dispatch();
  }

  private start(pooled: PooledWorker, queued: QueuedInvocation): void {
    const { invocation } = queued;
    const id = randomUUID();
    // Node fires longer timers at once, so a very long Lambda timeout is capped (at about 24 days).
    const timer = setTimeout(
      () => this.onTimeout(pooled),
      Math.min(invocation.timeoutMs, 2 ** 31 - 1),
    );
    pooled.active = { ...queued, id, timer };
    if (this.options.memory) this.startSampler(this.options.memory.sampleMs ?? 100);
    pooled.worker.postMessage({
      id,
      measure: this.options.memory !== undefined,
      awsRequestId: id,
      moduleUrl: invocation.moduleUrl,
      exportName: invocation.exportName,
      functionName: invocation.functionName,
      invokedFunctionArn: invocation.invokedFunctionArn,
      eventJson: invocation.eventJson,
      env: invocation.env ?? {},
      deadline: Date.now() + invocation.timeoutMs,
    });
  }

  private startSampler(intervalMs: number): void {
    if (this.sampler) return;
    this.sampler = setInterval(() => {
      for (const pooled of this.workers) void this.sample(pooled);
    }, intervalMs);
    // Sampling alone must not keep the process alive.
    this.sampler.unref();
  }

  /** One main-thread sample of a busy worker's isolate; it interrupts even synchronous code. */
  private async sample(pooled: PooledWorker): Promise<void> {
    const active = pooled.active;
    if (!active?.memory || pooled.sampling) return;
    pooled.sampling = true;
    try {
      const figures = heapFigures(await pooled.worker.getHeapStatistics());
      const memory = pooled.active === active ? active.memory : undefined;
      if (!memory) return;
      memory.samples++;
      memory.peakUsed = Math.max(memory.peakUsed, usedTotal(figures));
      memory.peakResident = Math.max(memory.peakResident, residentTotal(figures));
    } catch {
      // The worker exited or was terminated between the check and the call.
    } finally {
      pooled.sampling = false;
    }
  }

  private reportMemory(active: ActiveInvocation, memory: InvocationMemory): void {
    const sampled = active.memory;
    const { start, end } = memory;
    try {
      this.options.memory?.onTask({
        functionName: active.invocation.functionName,
        seconds: memory.seconds,
        gcMs: memory.gcMs,
        start,
        end,
        peakUsedBytes: Math.max(usedTotal(start), usedTotal(end), sampled?.peakUsed ?? 0),
        peakResidentBytes: Math.max(
          residentTotal(start),
          residentTotal(end),
          sampled?.peakResident ?? 0,
        ),
        samples: sampled?.samples ?? 0,
        succeeded: memory.succeeded,
      });
    } catch {
      // A measurement hook that throws must not fail the Task it measured.
    }
  }

  private onTimeout(pooled: PooledWorker): void {
    const active = pooled.active;
    if (!active) return;
    pooled.active = undefined;
    const seconds = (active.invocation.timeoutMs / 1000).toFixed(2);
    // "Sandbox.Timedout" is the error name Step Functions reports for a Lambda that timed out.
    active.reject(lambdaTaskError('Sandbox.Timedout', `Task timed out after ${seconds} seconds`));
    void this.retire(pooled);
    this.dispatch(); // retire() already took it out of the pool, so a replacement may start
  }

  private async retire(pooled: PooledWorker): Promise<void> {
    this.workers.delete(pooled);
    const idleAt = this.idle.indexOf(pooled);
    if (idleAt >= 0) this.idle.splice(idleAt, 1);
    await pooled.worker.terminate();
  }
}
