import type { TaskMemoryOptions } from './task-memory.ts';
import type { LocalSdkCall, StartLocalExecution } from './task-bindings.ts';

/** Which handler module serves a Lambda that the definition names through a substitution. */
export interface HandlerBinding {
  /** Path of the handler module: absolute, or relative to the project root (not the cwd). */
  readonly module: string;
  /** Exported function name; defaults to `handler`, as in Lambda's `index.handler`. */
  readonly export?: string;
  /** The Lambda timeout to mimic (the worker is killed after it); defaults to 900, Lambda's maximum. */
  readonly timeoutSeconds?: number;
  /** This function's own environment over the run's (a deployed Lambda's differs per function). */
  readonly env?: Readonly<Record<string, string>>;
}

export type LocalSfnEventType =
  | 'ExecutionStarted'
  | 'ExecutionSucceeded'
  | 'ExecutionFailed'
  | 'ExecutionAborted'
  | 'ExecutionTimeout'
  | 'MapIterationStarted'
  | 'MapIterationSucceeded'
  | 'MapIterationFailed'
  | 'ParallelBranchStarted'
  | 'ParallelBranchSucceeded'
  | 'ParallelBranchFailed'
  | 'StateEntered'
  | 'StateExited'
  | 'StateFailed'
  | 'StateRetried'
  | 'StateCaught';

/** One step of the execution, flattened from aws-local-stepfunctions' event log. */
export interface LocalSfnEvent {
  readonly type: LocalSfnEventType;
  /** Epoch milliseconds. */
  readonly timestamp: number;
  /** The state the event is about; for Map iteration and Parallel branch events, the Map/Parallel state. */
  readonly stateName?: string;
  readonly stateType?: string;
  /**
   * Map iteration index. For states inside a Map iterator it is the index in the OUTERMOST enclosing
   * Map (the library overwrites it at each nesting level); for Map iteration events, that Map's own.
   */
  readonly index?: number;
  /** The outermost Map that `index` refers to. */
  readonly mapStateName?: string;
  /** On `StateEntered` of a Map state: how many items it will iterate, when ItemsPath is a plain path. */
  readonly mapItemCount?: number;
  /** On failures: the error name (what `ErrorEquals` matches) and the cause. */
  readonly error?: string;
  readonly cause?: string;
  /** On `StateRetried`: how many retries the matching retrier had made before this one. */
  readonly retryAttempt?: number;
  readonly input?: unknown;
  readonly output?: unknown;
}

export interface RunStateMachineOptions {
  /** The ASL file CDK deploys; absolute, or relative to the project root. */
  readonly definitionPath: string;
  /** Execution input; must be JSON-safe. */
  readonly input: unknown;
  /** Definition substitution name (e.g. `IngestChunkFunctionArn`) → the module that serves it. */
  readonly handlers: Readonly<Record<string, HandlerBinding>>;
  /** Values for the other `${...}` definition substitutions (bucket names, table names, ...). */
  readonly substitutions?: Readonly<Record<string, string>>;
  /**
   * Serves `arn:aws:states:::states:startExecution` Tasks (parameters in, `{ ExecutionArn, … }`
   * out). Without it such a Task stops the run when reached, with a one-line reason.
   */
  readonly startExecution?: StartLocalExecution;
  /**
   * Answers `arn:aws:states:::aws-sdk:<service>:<action>` Tasks, keyed `<service>:<action>`
   * (parameters in, the service's response out). Without one such a Task stops the run when
   * reached, with a one-line reason: local runs call no AWS service.
   */
  readonly sdkCalls?: Readonly<Record<string, LocalSdkCall>>;
  /** Size of the handler worker pool; defaults to `os.availableParallelism()`. */
  readonly workers?: number;
  /** Called for every event as the execution runs (for progress bars). Throwing aborts the run. */
  readonly onEvent?: (event: LocalSfnEvent) => void;
  /** Replace every Retry pause by 0 ms (default true); pass false to keep the definition's backoff. */
  readonly fastRetries?: boolean;
  /** Replace every Wait state's pause by 0 ms (default true). */
  readonly fastWaits?: boolean;
  /** Return every event in the result (default false: events can hold large inputs). */
  readonly recordEvents?: boolean;
  /** `$$.Execution.Name`; defaults to a unique `local-...` name. */
  readonly executionName?: string;
  /** Extra environment variables for the handler workers (on top of this process's environment). */
  readonly env?: Readonly<Record<string, string>>;
  /** Receives the handlers' console output instead of it going straight to this process's stdout/stderr. */
  readonly onHandlerOutput?: (text: string, stream: 'stdout' | 'stderr') => void;
  /** Step Functions' payload quota, enforced on task results and state outputs (default 262,144 bytes). */
  readonly payloadLimitBytes?: number;
  /**
   * Measure each Task invocation's memory in its worker thread (task-memory.ts); defaults to the
   * process-wide hook set by observeTaskMemory, else off.
   */
  readonly taskMemory?: TaskMemoryOptions;
}

export interface RunStateMachineResult {
  readonly output: unknown;
  /** Wall-clock seconds of the execution, worker start-up included. */
  readonly seconds: number;
  readonly executionName: string;
  /** Present when `recordEvents` was set. */
  readonly events?: readonly LocalSfnEvent[];
}
