/**
 * A measurement hook: the memory each Task invocation uses in its handler worker thread, as an
 * estimate of what the same invocation would need in its own Lambda (npm run bench -- --only scale).
 *
 * Method. Each worker thread is one V8 isolate with its own heap and its own ArrayBuffer allocator,
 * so the isolate's heap statistics are the invocation's own memory, apart from the process's shared
 * runtime (the Node binary, libuv, the main thread). With a hook set, a worker
 *   1. runs a full garbage collection before each invocation (its time is reported as gcMs),
 *   2. reads its heap statistics (`start`: what the warm container retains: modules, caches),
 *   3. runs the handler, and reads them again once the result is serialized (`end`),
 * and meanwhile the main thread samples `worker.getHeapStatistics()` every `sampleMs`. That call
 * interrupts the isolate even inside a long synchronous loop (a block solve), so CPU-bound work is
 * sampled too. Each figure is the heap (V8's resident pages, or the live objects) plus
 * `external_memory`, which counts ArrayBuffer and Buffer backing stores and WebAssembly memories.
 *
 * Limits. A spike shorter than the sampling interval between samples is missed (start and end are
 * exact). Resident heap pages are an upper estimate: with a Lambda's smaller heap limit V8 collects
 * sooner, and live objects are a lower bound. Memory outside V8 (sockets, zlib, the driver's
 * native buffers) is not attributed to a thread; the process's non-heap runtime is added once as
 * an overhead by the caller. A worker thread serves every function of the state machine, so
 * `start` includes modules and caches of other functions' tasks (the run-file cache is capped at
 * 256 MB, as it is per container on Lambda).
 */

/** Bytes of one isolate at one moment. */
export interface HeapFigures {
  /** Live objects (and not yet collected garbage) on the V8 heap: used_heap_size. */
  readonly usedBytes: number;
  /** V8 heap pages resident in memory: total_physical_size. */
  readonly residentBytes: number;
  /** ArrayBuffer / Buffer backing stores and WebAssembly memories: external_memory. */
  readonly externalBytes: number;
}

/** One Task invocation's memory in its worker thread. */
export interface TaskMemoryRecord {
  /** The Lambda's function name as the handler sees it (context.functionName). */
  readonly functionName: string;
  /** Wall seconds of the invocation, the garbage collection before it excluded. */
  readonly seconds: number;
  /** Milliseconds of the full garbage collection before the invocation. */
  readonly gcMs: number;
  /** After the garbage collection, before the handler ran. */
  readonly start: HeapFigures;
  /** After the handler's result was serialized. */
  readonly end: HeapFigures;
  /** Highest heap used + external of start, end and every sample (a lower bound of the peak). */
  readonly peakUsedBytes: number;
  /** Highest resident heap + external of start, end and every sample (an upper estimate). */
  readonly peakResidentBytes: number;
  /** Samples taken while the handler ran (start and end not counted). */
  readonly samples: number;
  /** False when the handler threw (figures cover the run up to the failure). */
  readonly succeeded: boolean;
}

export interface TaskMemoryOptions {
  /** Called once per finished invocation. */
  readonly onTask: (record: TaskMemoryRecord) => void;
  /** Main-thread sampling interval while a handler runs (default 100 ms). */
  readonly sampleMs?: number;
}

/** The subset of v8.HeapInfo (and worker.getHeapStatistics()) this hook reads. */
export interface HeapStatisticsLike {
  readonly used_heap_size: number;
  readonly total_physical_size: number;
  readonly external_memory: number;
}

export function heapFigures(stats: HeapStatisticsLike): HeapFigures {
  return {
    usedBytes: stats.used_heap_size,
    residentBytes: stats.total_physical_size,
    externalBytes: stats.external_memory,
  };
}

export const usedTotal = (h: HeapFigures): number => h.usedBytes + h.externalBytes;
export const residentTotal = (h: HeapFigures): number => h.residentBytes + h.externalBytes;

let observer: TaskMemoryOptions | undefined;

/**
 * Sets (or with undefined, clears) the hook for every state machine this process runs from now on
 * whose options name none: `runLocalIngest` and `runLocalTrain` then report their Tasks' memory
 * without a parameter of their own.
 */
export function observeTaskMemory(options: TaskMemoryOptions | undefined): void {
  observer = options;
}

export function taskMemoryObserver(): TaskMemoryOptions | undefined {
  return observer;
}
