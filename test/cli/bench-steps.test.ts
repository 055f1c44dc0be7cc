/**
 * Issue 17: `npm run bench -- --peers` on a fresh machine. The peers' venv must be ready before the
 * first step that runs one of its tools (not only before the peers step), and a peer tool that
 * cannot start must say which tool, which command and why.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandLine, runTool, toolFailure } from '../../scripts/bench/peers/tool.ts';
import { runSteps, selectSteps, type PlannedStep } from '../../scripts/bench/steps.ts';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
const ALL = ['als', 'ingest', 'api', 'peers', 'ranking'] as const;
const PEER_ONLY = ['peers', 'ranking'] as const;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bench-steps-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('selectSteps', () => {
  it('runs the peer-only steps only with --peers or when named', () => {
    expect(selectSteps(ALL, PEER_ONLY, { peers: false })).toEqual({
      steps: ['als', 'ingest', 'api'],
      peers: false,
    });
    expect(selectSteps(ALL, PEER_ONLY, { peers: true })).toEqual({ steps: [...ALL], peers: true });
    expect(selectSteps(ALL, PEER_ONLY, { peers: false, only: 'ranking, als' })).toEqual({
      steps: ['als', 'ranking'],
      peers: true,
    });
    expect(selectSteps(ALL, PEER_ONLY, { peers: false, only: 'ingest' })).toEqual({
      steps: ['ingest'],
      peers: false,
    });
  });

  it('runs an opt-in step (a long one) only when named', () => {
    const all = [...ALL, 'scale'] as const;
    expect(selectSteps(all, PEER_ONLY, { peers: false }, ['scale']).steps).toEqual([
      'als',
      'ingest',
      'api',
    ]);
    expect(selectSteps(all, PEER_ONLY, { peers: true }, ['scale']).steps).toEqual([...ALL]);
    expect(selectSteps(all, PEER_ONLY, { peers: false, only: 'scale' }, ['scale'])).toEqual({
      steps: ['scale'],
      peers: false,
    });
  });

  it('names unknown steps and the known ones', () => {
    expect(() => selectSteps(ALL, PEER_ONLY, { peers: false, only: 'als,gpu' })).toThrow(
      'unknown step(s) gpu; use als,ingest,api,peers,ranking',
    );
  });
});

describe('runSteps', () => {
  function plan(events: string[], uses: Record<string, boolean>, fail?: string): PlannedStep[] {
    return Object.entries(uses).map(([name, usesPeersEnv]) => ({
      name,
      usesPeersEnv,
      run: async () => {
        events.push(name);
        if (name === fail) throw new Error('boom');
      },
    }));
  }

  it('readies the environment once, just before the first step that uses it', async () => {
    const events: string[] = [];
    const failures = await runSteps(
      plan(events, { als: false, ingest: true, api: false, peers: true }),
      async () => void events.push('prepare'),
      () => {},
    );
    expect(events).toEqual(['als', 'prepare', 'ingest', 'api', 'peers']);
    expect(failures).toEqual([]);
  });

  it('never readies it when no step uses it', async () => {
    const events: string[] = [];
    await runSteps(
      plan(events, { als: false, ingest: false }),
      async () => void events.push('prepare'),
      () => {},
    );
    expect(events).toEqual(['als', 'ingest']);
  });

  it('a failed environment fails only the steps that use it, once per step, without retrying', async () => {
    const events: string[] = [];
    const logged: string[] = [];
    const failures = await runSteps(
      plan(events, { ingest: true, api: false, peers: true }),
      async () => {
        events.push('prepare');
        throw new Error('pip exploded');
      },
      (line) => logged.push(line),
    );
    expect(events).toEqual(['prepare', 'api']);
    expect(failures).toEqual([
      'ingest: peers environment: pip exploded',
      'peers: peers environment: pip exploded',
    ]);
    expect(logged).toContain('ingest FAILED: peers environment: pip exploded');
  });

  it('a failed step does not stop the next', async () => {
    const events: string[] = [];
    const failures = await runSteps(
      plan(events, { als: false, api: false }, 'als'),
      async () => {},
      () => {},
    );
    expect(events).toEqual(['als', 'api']);
    expect(failures).toEqual(['als: boom']);
  });
});

describe('peer tool failures', () => {
  it('a missing binary names the tool, the command and the reason', async () => {
    const cqlsh = join(dir, 'venv-peers', 'bin', 'cqlsh');
    const error = await runTool('cqlsh', cqlsh, ['127.0.0.1', '9042', '-e', 'COPY x FROM y'], {
      hint: 'installed by `npm run bench -- --peers`',
    }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe(
      `cqlsh could not start: ${cqlsh} not found (spawn ${cqlsh} ENOENT); ` +
        `command: ${cqlsh} 127.0.0.1 9042 -e 'COPY x FROM y' (installed by \`npm run bench -- --peers\`)`,
    );
  });

  it('a non-zero exit, a kill and an unmet expectation each say so with the output', () => {
    const result = (code: number | null, stdout: string, stderr: string) => ({
      code,
      stdout,
      stderr,
    });
    expect(
      toolFailure('pip', 'pip', ['install', 'x'], result(1, '', 'a\nb\nc\nERROR: no x\n')),
    ).toBe('pip exited with code 1: b | c | ERROR: no x; command: pip install x');
    expect(toolFailure('ease.py', 'python', ['ease.py'], result(null, '', ''))).toBe(
      'ease.py was killed (timeout or signal): no output; command: python ease.py',
    );
    expect(
      toolFailure('cqlsh', 'cqlsh', ['-e', 'COPY'], result(0, 'Failed to import 3 rows', ''), {
        ok: (r) => /rows imported/.test(r.stdout),
      }),
    ).toBe('cqlsh did not do its job: Failed to import 3 rows; command: cqlsh -e COPY');
    expect(toolFailure('x', 'x', [], result(0, 'fine', ''))).toBeUndefined();
    expect(commandLine('a b', ["it's", 'plain-1.0'])).toBe(`'a b' 'it'\\''s' plain-1.0`);
  });
});

describe('npm run bench -- --peers --only ingest on a machine without the peers venv', () => {
  it('makes the venv before ingest starts, and says which tool failed when it cannot', async () => {
    const run = promisify(execFile);
    const failure = await run(
      process.execPath,
      ['--import', 'tsx', join(root, 'scripts/bench/main.ts'), '--peers', '--only', 'ingest'],
      {
        cwd: root,
        env: {
          ...process.env,
          RECSYS_BENCH_RESULTS: join(dir, 'results'),
          RECSYS_PEERS_VENV: join(dir, 'no-venv'),
          PYTHON: join(dir, 'no-python3.11'),
        },
      },
    ).then(
      () => undefined,
      (e: { code: number; stderr: string }) => e,
    );
    expect(failure?.code).toBe(1);
    const python = join(dir, 'no-python3.11');
    expect(failure!.stderr).toContain(
      `bench: ingest FAILED: peers environment: python venv could not start: ${python} not found`,
    );
    // The ingest script (Cassandra, S3, the load) never started.
    expect(failure!.stderr).not.toContain('ingest.ts');
  }, 60_000);
});
