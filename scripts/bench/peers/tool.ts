/**
 * Running the peers' tools (python, pip, cqlsh, the peer scripts) with failures a newcomer can act
 * on: the message names the tool, the command line and why it failed, whether the binary is
 * missing, could not be started, was killed or exited non-zero.
 */
import { runCommand, type CommandResult } from '../../runtime/cassandra/proc.ts';

/** A command line as a reader would type it: arguments with spaces or quotes are quoted. */
export function commandLine(command: string, args: readonly string[]): string {
  const quote = (word: string) =>
    /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
  return [command, ...args].map(quote).join(' ');
}

function lastLines(text: string, count: number): string {
  return text.trim().split('\n').filter(Boolean).slice(-count).join(' | ');
}

export interface ToolExpectations {
  /** More than exit 0 (cqlsh COPY exits 0 on some errors; a peer script must print JSON). */
  ok?: (result: CommandResult) => boolean;
  /** Where the binary should have come from, added when it cannot be started. */
  hint?: string;
}

/**
 * Why a finished command counts as failed, or undefined when it succeeded: the tool, the reason
 * (missing binary, spawn error, killed, exit code with the last lines of output) and the command.
 */
export function toolFailure(
  tool: string,
  command: string,
  args: readonly string[],
  result: CommandResult,
  expect: ToolExpectations = {},
): string | undefined {
  const { ok = () => true, hint } = expect;
  const line = commandLine(command, args);
  if (result.spawnError) {
    const code = (result.spawnError as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? `${command} not found (${result.spawnError.message})`
        : `${result.spawnError.message}`;
    return `${tool} could not start: ${why}; command: ${line}${hint ? ` (${hint})` : ''}`;
  }
  const output = lastLines(result.stderr, 3) || lastLines(result.stdout, 3) || 'no output';
  if (result.code === null)
    return `${tool} was killed (timeout or signal): ${output}; command: ${line}`;
  if (result.code !== 0)
    return `${tool} exited with code ${result.code}: ${output}; command: ${line}`;
  if (!ok(result)) return `${tool} did not do its job: ${output}; command: ${line}`;
  return undefined;
}

/** Runs a tool to completion; throws an Error whose message is {@link toolFailure}'s. */
export async function runTool(
  tool: string,
  command: string,
  args: readonly string[],
  options: { timeoutMs?: number; cwd?: string } & ToolExpectations = {},
): Promise<CommandResult> {
  const result = await runCommand(command, args, options);
  const failure = toolFailure(tool, command, args, result, options);
  if (failure) throw new Error(failure);
  return result;
}
