export { runStateMachine } from './run-state-machine.ts';
export type { LocalSdkCall } from './task-bindings.ts';
export { LocalStateMachineError, type FailureDetails } from './state-machine-error.ts';
export {
  observeTaskMemory,
  type HeapFigures,
  type TaskMemoryOptions,
  type TaskMemoryRecord,
} from './task-memory.ts';
export type {
  HandlerBinding,
  LocalSfnEvent,
  LocalSfnEventType,
  RunStateMachineOptions,
  RunStateMachineResult,
} from './types.ts';
