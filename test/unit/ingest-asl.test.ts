import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  INGEST_DEFINITION,
  INGEST_FUNCTIONS,
  TRAIN_STATE_MACHINE_SUBSTITUTION,
} from '../../statemachines/ingest.functions.ts';

interface State {
  Type: string;
  Resource?: string;
  Retry?: { ErrorEquals: string[]; BackoffRate?: number; MaxAttempts?: number }[];
  Catch?: { ErrorEquals: string[]; Next: string }[];
  ItemProcessor?: { ProcessorConfig?: { Mode?: string }; States: Record<string, State> };
  ItemSelector?: Record<string, string>;
  MaxConcurrencyPath?: string;
}

const text = readFileSync(join(import.meta.dirname, '../..', INGEST_DEFINITION), 'utf8');
const definition = JSON.parse(text) as { States: Record<string, State> };

function allStates(states: Record<string, State>): [string, State][] {
  return Object.entries(states).flatMap(([name, state]) => [
    [name, state] as [string, State],
    ...(state.ItemProcessor ? allStates(state.ItemProcessor.States) : []),
  ]);
}

describe('statemachines/ingest.asl.json', () => {
  it('names exactly the functions the local runner and the CDK construct bind, and the train machine', () => {
    const substitutions = new Set([...text.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]));
    expect([...substitutions].sort()).toEqual(
      [...Object.keys(INGEST_FUNCTIONS), TRAIN_STATE_MACHINE_SUBSTITUTION].sort(),
    );
  });

  it('retries every Task with backoff on TransientError and transient Lambda errors', () => {
    const tasks = allStates(definition.States).filter(
      ([, s]) => s.Type === 'Task' && s.Resource === 'arn:aws:states:::lambda:invoke',
    );
    expect(tasks.length).toBeGreaterThanOrEqual(7);
    for (const [name, task] of tasks) {
      const retrier = task.Retry?.find((r) => r.ErrorEquals.includes('TransientError'));
      expect(retrier, name).toBeDefined();
      expect(retrier!.ErrorEquals).toContain('Lambda.ServiceException');
      expect(retrier!.BackoffRate).toBeGreaterThanOrEqual(2);
      expect(retrier!.MaxAttempts).toBeGreaterThanOrEqual(3);
    }
  });

  it('marks the data set failed when a stage after validation fails', () => {
    for (const name of ['Plan', 'IngestChunks', 'Catalogue', 'Aggregate']) {
      expect(definition.States[name]!.Catch?.[0]).toMatchObject({
        ErrorEquals: ['States.ALL'],
        Next: 'MarkFailed',
      });
    }
  });

  it('maps over chunks in DISTRIBUTED mode with items that carry keys and ranges only', () => {
    const map = definition.States.IngestChunks!;
    expect(map.ItemProcessor?.ProcessorConfig?.Mode).toBe('DISTRIBUTED');
    // Chosen per execution: 32 Lambdas on AWS, one per worker thread locally.
    expect(map.MaxConcurrencyPath).toBe('$.layout.value.chunkConcurrency');
    expect(Object.keys(map.ItemSelector!).sort()).toEqual([
      'chunk.$',
      'dataset.$',
      'ratingsFormat.$',
      'ratingsKey.$',
      'writeRatingsPerSecond.$',
      'writeTimeBase.$',
    ]);
  });

  it('starts training itself once the data set is ready, only when the input asks (`train`)', () => {
    const states = definition.States as unknown as Record<string, Record<string, unknown>>;
    expect(states.MarkReady).toMatchObject({ ResultPath: '$.summary', Next: 'TrainAfter' });
    expect(states.TrainAfter).toEqual(
      expect.objectContaining({
        Type: 'Choice',
        Choices: [{ Variable: '$.train', IsPresent: true, Next: 'TrainingRequest' }],
        Default: 'Done',
      }),
    );
    expect(states.TrainingRequest).toMatchObject({
      Parameters: { 'dataset.$': '$.summary.value.dataset' },
      Next: 'StartTraining',
    });
    // Fire and forget (no .sync), named after this execution: a retry cannot start a second run.
    expect(states.StartTraining).toMatchObject({
      Resource: 'arn:aws:states:::states:startExecution',
      Parameters: {
        StateMachineArn: '${TrainStateMachineArn}',
        'Name.$': '$$.Execution.Name',
        'Input.$': 'States.JsonMerge($.train, $.trainDataset, false)',
      },
      Next: 'Done',
    });
    // The execution's output stays the ingestion summary, with or without training.
    expect(states.Done).toEqual(
      expect.objectContaining({ Type: 'Pass', OutputPath: '$.summary.value', End: true }),
    );
  });
});
