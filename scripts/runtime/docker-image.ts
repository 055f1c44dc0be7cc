import { runCommand } from './cassandra/proc.ts';

/**
 * What the local launchers (`recsys cassandra start`, `recsys s3 start`) learn from Docker before
 * choosing it: whether an engine answers and, if so, whether the image is here or can be pulled. A
 * Docker engine with no registry in reach must not stop them when the Docker-free path works.
 */
export type DockerFacts =
  | { engine: false }
  | { engine: true; image: 'present' | 'pulled' }
  | {
      engine: true;
      image: 'unavailable';
      reason: string;
      /** Whether the choice's stand-in image is here (asked only when the choice names one). */
      standInPresent?: boolean;
    };

/** `auto` tries Docker and falls back; `docker` insists on it; `fallback` never asks Docker. */
export type DockerChoiceMode = 'auto' | 'docker' | 'fallback';

export type DockerDecision =
  /** `image` is the one to run: the asked-for image, or the stand-in built here when it cannot be had. */
  | { use: 'docker'; image: string; announce?: string }
  /** `why` says why not Docker; `announce` is the one line to log when the fallback would surprise. */
  | { use: 'fallback'; why: string; announce?: string }
  | { fail: string };

export interface DockerChoice {
  mode: DockerChoiceMode;
  /** Undefined when mode is `fallback` (Docker was not asked). */
  facts: DockerFacts | undefined;
  image: string;
  /** What is being started, for messages: `Cassandra`, `S3`. */
  service: string;
  /** How the fallback runs, for the announcement: `running Cassandra 5 from Maven jars on the JDK`. */
  fallback: string;
  /** The environment variable that selects the mode, for the `docker` mode's failure. */
  modeVariable: string;
  /**
   * An image built on this machine that reads the same settings as `image` and stands in for it
   * when `image` cannot be pulled (no registry in reach), and `builtBy`, the command that builds it.
   */
  standIn?: { image: string; builtBy: string };
}

/** Decides between the Docker image and the Docker-free launcher from what Docker said. Pure. */
export function decideDocker(choice: DockerChoice): DockerDecision {
  const { mode, facts, image } = choice;
  if (mode === 'fallback' || facts === undefined) {
    return { use: 'fallback', why: `${choice.modeVariable} selects it` };
  }
  if (facts.engine && facts.image !== 'unavailable') return { use: 'docker', image };
  const why = facts.engine
    ? `Docker answers but image ${image} cannot be had (${facts.reason})`
    : 'no Docker engine answers `docker info`';
  const prefix = choice.service.toLowerCase();
  const standIn = choice.standIn;
  if (facts.engine && standIn && facts.standInPresent) {
    return {
      use: 'docker',
      image: standIn.image,
      announce: `${prefix}: ${why}; using ${standIn.image} (built here by ${standIn.builtBy}) instead`,
    };
  }
  if (mode === 'docker') {
    return { fail: `cannot use Docker (${choice.modeVariable}=docker): ${why}` };
  }
  // Say where the stand-in would come from: the next start could use Docker after all.
  const noStandIn = standIn ? `, and no ${standIn.image} here (${standIn.builtBy} builds it)` : '';
  return facts.engine
    ? {
        use: 'fallback',
        why,
        announce: `${prefix}: ${why}${noStandIn}; ${choice.fallback} instead`,
      }
    : { use: 'fallback', why };
}

/** The line of a failed docker command worth showing: its first non-empty one, or what happened. */
export function dockerFailureLine(
  command: string,
  result: { code: number | null; stdout: string; stderr: string; timedOut?: boolean },
  timeoutMs: number,
): string {
  if (result.timedOut) {
    return `${command} did not finish within ${Math.round(timeoutMs / 1000)} s; set RECSYS_DOCKER_PULL_TIMEOUT_S to wait longer`;
  }
  const line = (result.stderr + '\n' + result.stdout)
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l !== '');
  return line ?? `${command} exited with code ${result.code}`;
}

/** How long `auto` waits for a pull before taking the Docker-free path (RECSYS_DOCKER_PULL_TIMEOUT_S). */
export function pullTimeoutMs(
  mode: DockerChoiceMode,
  env: NodeJS.ProcessEnv = process.env,
): number {
  // With nothing to fall back to, a slow first pull is worth waiting for.
  if (mode === 'docker') return 15 * 60_000;
  const raw = env.RECSYS_DOCKER_PULL_TIMEOUT_S?.trim();
  if (!raw) return 120_000;
  const seconds = Number(raw);
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > 3600) {
    throw new Error(`RECSYS_DOCKER_PULL_TIMEOUT_S must be an integer in [1, 3600], got "${raw}"`);
  }
  return seconds * 1000;
}

/** True when a Docker engine answers; the short timeout keeps hosts with only a docker client fast. */
export async function dockerEngineAnswers(): Promise<boolean> {
  const result = await runCommand('docker', ['info', '--format', '{{.ServerVersion}}'], {
    timeoutMs: 5000,
  });
  return result.code === 0 && result.stdout.trim() !== '';
}

async function imageHere(image: string): Promise<boolean> {
  const inspect = await runCommand('docker', ['image', 'inspect', '--format', '{{.Id}}', image], {
    timeoutMs: 15_000,
  });
  return inspect.code === 0;
}

/**
 * Asks Docker what `decideDocker` needs, stopping at the first answer that settles it: no engine,
 * the image already here (`docker image inspect`), or a `docker pull` that succeeds or fails
 * within `timeoutMs` (any failure, a timeout included, means the image cannot be had). After a
 * failed pull it also asks whether `standIn` (an image built here) is present.
 */
export async function dockerFacts(
  image: string,
  timeoutMs: number,
  log: (line: string) => void,
  standIn?: string,
): Promise<DockerFacts> {
  if (!(await dockerEngineAnswers())) return { engine: false };
  if (await imageHere(image)) return { engine: true, image: 'present' };
  log(`${image} is not here; pulling it (up to ${Math.round(timeoutMs / 1000)} s)...`);
  const pull = await runCommand('docker', ['pull', '--quiet', image], { timeoutMs });
  if (pull.code === 0) return { engine: true, image: 'pulled' };
  const reason = dockerFailureLine(`docker pull ${image}`, pull, timeoutMs);
  return standIn === undefined
    ? { engine: true, image: 'unavailable', reason }
    : { engine: true, image: 'unavailable', reason, standInPresent: await imageHere(standIn) };
}
