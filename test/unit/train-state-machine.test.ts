/**
 * statemachines/train.asl.json holds the rules the issue sets: Retry with backoff on every Task, a
 * Catch that marks the run failed on every top-level step, Map concurrency from the plan, DISTRIBUTED
 * fan-outs, payloads of ids only, and the active model switched by Publish alone.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TRAIN_DEFINITION, TRAIN_FUNCTIONS } from '../../statemachines/train.functions.ts';

type State = Record<string, unknown> & { Type: string };
const definition = JSON.parse(readFileSync(TRAIN_DEFINITION, 'utf8')) as {
  States: Record<string, State>;
};

function allStates(states: Record<string, State>, depth = 0): [string, State, number][] {
  return Object.entries(states).flatMap(([name, state]): [string, State, number][] => {
    const nested: [string, State, number][] = [];
    const processor = state.ItemProcessor as { States: Record<string, State> } | undefined;
    if (processor) nested.push(...allStates(processor.States, depth + 1));
    for (const branch of (state.Branches as { States: Record<string, State> }[] | undefined) ??
      []) {
      nested.push(...allStates(branch.States, depth + 1));
    }
    return [[name, state, depth], ...nested];
  });
}

const states = allStates(definition.States);

describe('train.asl.json', () => {
  it('retries every Task on transient errors with exponential backoff and jitter', () => {
    const tasks = states.filter(([, s]) => s.Type === 'Task');
    expect(tasks.length).toBeGreaterThan(10);
    for (const [name, state] of tasks) {
      const retry = (state.Retry as Record<string, unknown>[] | undefined)?.[0];
      expect(retry, name).toMatchObject({ BackoffRate: 2, JitterStrategy: 'FULL' });
      expect(retry!.ErrorEquals, name).toContain('TransientError');
    }
  });

  it('sends every failure of a top-level step to MarkFailed, then fails', () => {
    for (const [name, state, depth] of states) {
      if (depth > 0 || !['Task', 'Map', 'Parallel'].includes(state.Type) || name === 'MarkFailed')
        continue;
      expect(state.Catch, name).toEqual([
        { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'MarkFailed' },
      ]);
    }
    expect(definition.States.MarkFailed!.Next).toBe('Failed');
    expect(definition.States.Failed!.Type).toBe('Fail');
  });

  it('runs every Map DISTRIBUTED with the concurrency of the plan, on ids only', () => {
    const maps = states.filter(([, s]) => s.Type === 'Map');
    expect(maps.map(([name]) => name).sort()).toEqual([
      'AssembleBlocks',
      'EvaluateBlocks',
      'NeighbourGramBlocks',
      'ScanTokenRanges',
      'SimilarMovieBlocks',
      'SolveItemBlocks',
      'SolveUserBlocks',
      'TopNBlocks',
      'TuneGrid',
    ]);
    for (const [name, map] of maps) {
      // The two output Maps run side by side (a Parallel): half the concurrency each, so a run
      // never has more than `concurrency` Lambdas at once.
      const side = ['TopNBlocks', 'SimilarMovieBlocks'].includes(name);
      expect(map.MaxConcurrencyPath, name).toBe(
        side ? '$.plan.outputConcurrency' : '$.plan.concurrency',
      );
      expect((map.ItemProcessor as { ProcessorConfig: unknown }).ProcessorConfig, name).toEqual({
        Mode: 'DISTRIBUTED',
        ExecutionType: 'STANDARD',
      });
      const fields = Object.keys(map.ItemSelector as object).map((k) => k.replace(/\.\$$/, ''));
      for (const field of fields)
        expect(['runId', 'block', 'range', 'iteration', 'side', 'candidate', 'phase']).toContain(
          field,
        );
    }
  });

  it('binds every function substitution to a handler and no more', () => {
    const used = new Set(
      [...readFileSync(TRAIN_DEFINITION, 'utf8').matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]),
    );
    expect([...used].sort()).toEqual(Object.keys(TRAIN_FUNCTIONS).sort());
  });

  it('loops on the Choice until Checkpoint says done, then fits the neighbours, then outputs', () => {
    const choice = definition.States.MoreIterations!;
    expect(JSON.stringify(choice)).toContain('"Variable":"$.loop.done"');
    expect(choice.Default).toBe('NeighboursRequested');
    expect(definition.States.Checkpoint!.Next).toBe('MoreIterations');
    expect(definition.States.NeighbourGramBlocks!.Next).toBe('NeighbourSolve');
    expect(definition.States.NeighbourSolve!.Next).toBe('Outputs');
    expect(definition.States.Outputs!.Next).toBe('Publish');
    expect(definition.States.Publish!.End).toBe(true);
  });

  it('switches the active model in the Publish handler only', () => {
    for (const binding of Object.values(TRAIN_FUNCTIONS)) {
      const service = readFileSync(binding.module, 'utf8').match(
        /services\/train\/([\w-]+)\.ts/,
      )![1];
      const source = readFileSync(`lambdas/services/train/${service}.ts`, 'utf8');
      expect(source.includes('activateModel('), service).toBe(service === 'publish');
    }
  });
});
