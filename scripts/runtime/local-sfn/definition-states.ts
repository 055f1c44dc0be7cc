import { isJsonObject, type JsonObject, type JsonValue } from './json.ts';

export interface StateEntry {
  readonly name: string;
  /** The state's definition object (mutable: local adaptations edit it in place). */
  readonly state: JsonObject;
  /** Enclosing Map and Parallel states, outermost first. */
  readonly ancestors: readonly string[];
  /** The outermost Map whose iterator contains this state, if any. */
  readonly outermostMap?: string;
}

/** Every state of the machine, nested Map iterators and Parallel branches included. */
export function listStates(definition: JsonObject): StateEntry[] {
  const entries: StateEntry[] = [];
  const visit = (machine: JsonValue | undefined, ancestors: string[], outermostMap?: string) => {
    if (!isJsonObject(machine) || !isJsonObject(machine.States)) return;
    for (const [name, state] of Object.entries(machine.States)) {
      if (!isJsonObject(state)) continue;
      entries.push({ name, state, ancestors, ...(outermostMap ? { outermostMap } : {}) });
      const inside = [...ancestors, name];
      if (state.Type === 'Map')
        visit(state.ItemProcessor ?? state.Iterator, inside, outermostMap ?? name);
      if (state.Type === 'Parallel' && Array.isArray(state.Branches)) {
        for (const branch of state.Branches) visit(branch, inside, outermostMap);
      }
    }
  };
  visit(definition, []);
  return entries;
}

/**
 * Fields aws-local-stepfunctions 3.0 would silently ignore, producing results that AWS would not.
 * Failing loudly is better than a local run that "passes" differently.
 */
const UNSUPPORTED_FIELDS: Readonly<Record<string, string>> = {
  ItemReader: 'Map ItemReader (reading items from S3)',
  ItemBatcher: 'Map ItemBatcher',
  ResultWriter: 'Map ResultWriter',
  Assign: 'variables (Assign)',
  Arguments: 'JSONata Arguments',
  Output: 'JSONata Output',
};

export function assertRunnableLocally(
  definition: JsonObject,
  entries: readonly StateEntry[],
): void {
  if (definition.QueryLanguage === 'JSONata') {
    throw new Error('JSONata state machines are not supported by aws-local-stepfunctions');
  }
  for (const { name, state } of entries) {
    for (const [field, feature] of Object.entries(UNSUPPORTED_FIELDS)) {
      if (field in state) {
        throw new Error(`state "${name}" uses ${feature}, which aws-local-stepfunctions ignores`);
      }
    }
    if (state.QueryLanguage === 'JSONata') {
      throw new Error(
        `state "${name}" uses JSONata, which aws-local-stepfunctions does not support`,
      );
    }
    assertDistributedMapComplete(name, state);
  }
}

// The validator reports a missing ExecutionType as "Mode is invalid", which sends people looking in
// the wrong place; AWS requires ExecutionType for DISTRIBUTED too, so this is a real definition bug.
function assertDistributedMapComplete(name: string, state: JsonObject): void {
  if (state.Type !== 'Map' || !isJsonObject(state.ItemProcessor)) return;
  const config = state.ItemProcessor.ProcessorConfig;
  if (!isJsonObject(config) || config.Mode !== 'DISTRIBUTED') return;
  if (config.ExecutionType !== 'STANDARD' && config.ExecutionType !== 'EXPRESS') {
    throw new Error(
      `DISTRIBUTED Map "${name}" needs ItemProcessor.ProcessorConfig.ExecutionType (STANDARD or EXPRESS)`,
    );
  }
}

/** Node's setTimeout fires at once (with a warning) beyond 2^31-1 ms, so no timeout may exceed it. */
const LONGEST_TIMER_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

/**
 * aws-local-stepfunctions gives a Task without `TimeoutSeconds` a 60 s timeout, whereas on AWS such a
 * Task waits for the Lambda's own timeout; long local chunks would fail with States.Timeout. So Tasks
 * without one get the longest timer, leaving the Lambda-like timeout of the worker pool in charge.
 */
export function applyAwsTaskTimeouts(definition: JsonObject, entries: readonly StateEntry[]): void {
  if (typeof definition.TimeoutSeconds === 'number') {
    definition.TimeoutSeconds = Math.min(definition.TimeoutSeconds, LONGEST_TIMER_SECONDS);
  }
  for (const { state } of entries) {
    if (state.Type !== 'Task') continue;
    if (typeof state.TimeoutSeconds === 'number') {
      state.TimeoutSeconds = Math.min(state.TimeoutSeconds, LONGEST_TIMER_SECONDS);
    } else if (state.TimeoutSecondsPath === undefined) {
      state.TimeoutSeconds = LONGEST_TIMER_SECONDS;
    }
  }
}

const PLAIN_PATH = /^\$((\.[A-Za-z_][\w-]*)*)$/;

/** Reads `$` or `$.a.b` paths (the only kinds a progress bar needs); undefined for anything else. */
export function readPlainPath(value: unknown, path: string): unknown {
  const match = PLAIN_PATH.exec(path);
  if (!match) return undefined;
  let current = value;
  for (const key of match[1]!.split('.').slice(1)) {
    if (!isJsonObject(current)) return undefined;
    current = current[key];
  }
  return current;
}

/** How many items a Map state will iterate given its raw input, when its paths are plain. */
export function mapItemCount(mapState: JsonObject, rawInput: unknown): number | undefined {
  const inputPath = typeof mapState.InputPath === 'string' ? mapState.InputPath : '$';
  const itemsPath = typeof mapState.ItemsPath === 'string' ? mapState.ItemsPath : '$';
  const items = readPlainPath(readPlainPath(rawInput, inputPath), itemsPath);
  return Array.isArray(items) ? items.length : undefined;
}
