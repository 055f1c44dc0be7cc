import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCommand } from '../../runtime/cassandra/proc.ts';
import { synthRecsys } from './synth.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const REQUIREMENTS = join(ROOT, 'scripts/tools/infra/requirements-cfn-lint.txt');
export const VENV = join(ROOT, '.local/venv-cfn');
const MARKER = '.recsys-cfn-lint-requirements.sha256';

/** One line: the first line of a failed command's output that says what went wrong. */
function reason(output: string): string {
  const lines = output.split('\n').map((line) => line.trim());
  return (
    lines.find((l) => /error|no module|not found|denied/i.test(l)) ?? lines.find(Boolean) ?? ''
  );
}

/**
 * `.local/venv-cfn` with the pinned cfn-lint, created on first use and again whenever the
 * requirements file changes. Throws one line saying what to install when it cannot be made.
 */
export async function ensureCfnLint(python = process.env.PYTHON ?? 'python3'): Promise<string> {
  const hash = createHash('sha256').update(readFileSync(REQUIREMENTS)).digest('hex');
  const bin = join(VENV, 'bin', 'cfn-lint');
  const markerFile = join(VENV, MARKER);
  if (existsSync(bin) && existsSync(markerFile) && readFileSync(markerFile, 'utf8') === hash) {
    return bin;
  }
  if (!existsSync(join(VENV, 'bin', 'python'))) {
    const made = await runCommand(python, ['-m', 'venv', VENV], { timeoutMs: 120_000 });
    if (made.spawnError || made.code !== 0) {
      rmSync(VENV, { recursive: true, force: true });
      throw new Error(
        `cfn-lint: cannot create ${VENV} with ${python} (install python3 and python3-venv): ` +
          reason(`${made.spawnError?.message ?? ''}\n${made.stderr}\n${made.stdout}`),
      );
    }
  }
  const pip = await runCommand(
    join(VENV, 'bin', 'python'),
    ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '-r', REQUIREMENTS],
    { timeoutMs: 10 * 60_000 },
  );
  if (pip.code !== 0) {
    throw new Error(
      `cfn-lint: pip install -r ${REQUIREMENTS} failed: ${reason(pip.stderr + pip.stdout)}`,
    );
  }
  writeFileSync(markerFile, hash);
  return bin;
}

/**
 * The templates linted: both profiles with their defaults (a new account), and the default profile
 * as an established account deploys it (reserved API concurrency, 10 GB memory cap, ratings tables
 * pre-warmed with WarmThroughput, data and logs retained) and as a provisioned bulk load deploys it
 * (the ingest state machine's Keyspaces SDK Tasks and their cassandra:Alter grant on the ratings
 * tables), so every property the stack can emit is checked against CloudFormation's schema.
 */
export const VARIANTS: Readonly<Record<string, Record<string, string>>> = {
  aws: { profile: 'aws' },
  local: { profile: 'local' },
  'aws-established': {
    profile: 'aws',
    accountConcurrency: '1000',
    maxMemoryMb: '10240',
    ingestWriteUnits: '40000',
    retainData: 'true',
  },
  // A provisioned bulk load: the ingest switches the ratings tables' capacity itself.
  'aws-provisioned-load': {
    profile: 'aws',
    ingestCapacity: 'provisioned',
    ingestWriteUnits: '2000',
  },
};

/**
 * Rules switched off, each for a pattern aws-cdk-lib itself emits and this project cannot change:
 * W3005: the library adds DependsOn on a role that a GetAtt already orders (harmless redundancy).
 * W3045: a bucket that receives CloudFront standard logs needs ACLs, so the library sets the
 * legacy AccessControl: LogDeliveryWrite on the access-log bucket.
 */
export const IGNORED_RULES = ['W3005', 'W3045'] as const;

/** Synthesizes each variant's template (bundling skipped: it only changes asset hashes). */
export function synthTemplates(outRoot = join(ROOT, '.local/cfn-lint')): string[] {
  rmSync(outRoot, { recursive: true, force: true });
  return Object.entries(VARIANTS).map(([variant, context]) => {
    const outdir = join(outRoot, variant);
    mkdirSync(outdir, { recursive: true });
    const { app } = synthRecsys({ context, outdir });
    app.synth();
    const template = readdirSync(outdir).find((f) => f.endsWith('.template.json'));
    if (!template) throw new Error(`cfn-lint: no template synthesized for ${variant}`);
    return join(outdir, template);
  });
}

export interface CfnLintResult {
  readonly code: number | null;
  readonly templates: string[];
  readonly output: string;
}

/** cfn-lint over both profiles' templates; exit code 0 means no error, warning or info. */
export async function runCfnLint(): Promise<CfnLintResult> {
  const bin = await ensureCfnLint();
  const templates = synthTemplates();
  const result = await runCommand(
    bin,
    ['--format', 'parseable', '--ignore-checks', ...IGNORED_RULES, '--', ...templates],
    {
      timeoutMs: 5 * 60_000,
    },
  );
  if (result.spawnError)
    throw new Error(`cfn-lint: cannot run ${bin}: ${result.spawnError.message}`);
  return { code: result.code, templates, output: (result.stdout + result.stderr).trim() };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    const { code, templates, output } = await runCfnLint();
    if (output) console.log(output);
    console.log(
      `cfn-lint ${code === 0 ? 'clean' : `found problems (exit ${code})`}: ${templates
        .map((t) => t.slice(ROOT.length))
        .join(', ')}`,
    );
    process.exit(code === 0 ? 0 : 1);
  } catch (error) {
    console.error((error as Error).message);
    process.exit(2);
  }
}
