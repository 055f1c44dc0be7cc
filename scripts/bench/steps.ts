/**
 * The bench orchestrator's order of work, apart from what each step does: which steps a command
 * line asks for, which of them use the peers' Python environment (.local/venv-peers), and running
 * them so that environment is ready before the first step that uses it, created only when one
 * does, and created once.
 */

export interface StepSelection<S extends string> {
  /** The steps to run, in the orchestrator's order. */
  steps: S[];
  /** Whether peers are measured: --peers, or a step that only exists with peers asked for. */
  peers: boolean;
}

/**
 * `--only a,b` (any order, duplicates ignored) or every step, the peer-only steps only with
 * --peers and the opt-in ones (long runs) never. Unknown names throw, with the list of known ones.
 */
export function selectSteps<S extends string>(
  all: readonly S[],
  peerOnly: readonly S[],
  options: { only?: string; peers: boolean },
  optIn: readonly S[] = [],
): StepSelection<S> {
  const asked = options.only
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = (asked ?? []).filter((s) => !(all as readonly string[]).includes(s));
  if (unknown.length > 0)
    throw new Error(`unknown step(s) ${unknown.join(',')}; use ${all.join(',')}`);
  const wanted = new Set<string>(
    asked ?? all.filter((s) => !optIn.includes(s) && (options.peers || !peerOnly.includes(s))),
  );
  const steps = all.filter((s) => wanted.has(s));
  return { steps, peers: options.peers || steps.some((s) => peerOnly.includes(s)) };
}

export interface PlannedStep {
  name: string;
  /** True when the step runs a tool from the peers' environment (cqlsh, a peer script). */
  usesPeersEnv: boolean;
  run: () => unknown;
}

/**
 * Runs the steps in order; `prepare` (create/fill the peers' environment) runs once, just before
 * the first step that uses it, and never when none does. A failed step, or a failed `prepare`,
 * fails only the steps concerned: the others still run and keep their figures. Returns one
 * "step: reason" line per failure.
 */
export async function runSteps(
  steps: readonly PlannedStep[],
  prepare: () => Promise<unknown>,
  log: (line: string) => void,
): Promise<string[]> {
  let ready: Promise<unknown> | undefined;
  const failures: string[] = [];
  for (const step of steps) {
    try {
      if (step.usesPeersEnv) {
        ready ??= prepare().catch((error: unknown) => {
          throw new Error(`peers environment: ${(error as Error).message}`);
        });
        await ready;
      }
      await step.run();
    } catch (error) {
      failures.push(`${step.name}: ${(error as Error).message}`);
      log(`${step.name} FAILED: ${(error as Error).message}`);
    }
  }
  return failures;
}
