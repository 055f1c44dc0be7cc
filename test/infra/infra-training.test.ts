import { Template } from 'aws-cdk-lib/assertions';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Training } from '../../infra/constructs/training.ts';
import { TRAIN_DEFINITION, TRAIN_FUNCTIONS } from '../../statemachines/train.functions.ts';

import {
  actionsOf,
  expectKeyspacesFunctions,
  functionStatements,
  synthConstruct,
  type Statement,
} from './infra-template.ts';

let template: Template;

const statementsOf = (functionId: string) => functionStatements(template, `Training${functionId}`);
const text = (value: unknown) => JSON.stringify(value);

beforeAll(() => {
  template = synthConstruct('TrainTest', (stack, storage) => {
    new Training(stack, 'Training', { bucket: storage.bucket, keyspaceName: 'recsys' });
  });
}, 60_000);

describe('Training construct', () => {
  it('deploys one Node 22 arm64 Lambda per train step, configured for Keyspaces', () => {
    expectKeyspacesFunctions(template, Object.keys(TRAIN_FUNCTIONS).length);
  });

  it('builds the state machine from train.asl.json with every function substituted', () => {
    const machines = Object.values(template.findResources('AWS::StepFunctions::StateMachine'));
    expect(machines).toHaveLength(1);
    const properties = machines[0]!.Properties;
    expect(Object.keys(properties.DefinitionSubstitutions).sort()).toEqual(
      Object.keys(TRAIN_FUNCTIONS).sort(),
    );
    // fromFile ships the very file `recsys train` runs locally, as an S3 asset.
    expect(properties.DefinitionS3Location).toBeDefined();
    expect(readFileSync(TRAIN_DEFINITION, 'utf8')).toContain('"Mode": "DISTRIBUTED"');
  });

  it('lets the state machine invoke its functions and start its own Map child executions', () => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy'));
    const machinePolicies = policies.filter((p) =>
      text(p.Properties.Roles).includes('TrainingStateMachineRole'),
    );
    const actions = machinePolicies.flatMap((p) =>
      actionsOf(p.Properties.PolicyDocument.Statement as Statement[]),
    );
    expect(actions).toEqual(
      expect.arrayContaining([
        'lambda:InvokeFunction',
        'states:StartExecution',
        'states:DescribeExecution',
      ]),
    );
  });

  it('grants each function only what its step touches', () => {
    const solve = statementsOf('TrainSolveBlock');
    expect(actionsOf(solve).some((a) => a.startsWith('cassandra:'))).toBe(false);
    expect(text(solve)).toContain('runs/*');
    expect(text(solve)).not.toContain('models/*');

    const scan = statementsOf('TrainScanRange');
    expect(actionsOf(scan)).toContain('cassandra:Select');
    expect(actionsOf(scan)).not.toContain('cassandra:Modify');
    expect(text(scan)).toContain('table/ratings_by_user');

    const topN = statementsOf('TrainTopN');
    const modify = topN.filter((s) => actionsOf([s]).includes('cassandra:Modify'));
    expect(text(modify)).toContain('table/recommendation_lists');
    expect(text(modify)).not.toContain('active_model');

    // Only Publish switches the serving model, and only Publish writes model files.
    const publish = statementsOf('TrainPublish');
    expect(text(publish.filter((s) => actionsOf([s]).includes('cassandra:Modify')))).toContain(
      'table/active_model',
    );
    expect(text(publish)).toContain('models/*');
    // Publish reads the catalogue for the content model, and never writes it.
    const publishSelect = publish.filter((s) => actionsOf([s]).includes('cassandra:Select'));
    expect(text(publishSelect)).toContain('table/movies');
    expect(text(publish.filter((s) => actionsOf([s]).includes('cassandra:Modify')))).not.toContain(
      'table/movies',
    );
    for (const other of ['TrainMarkFailed', 'TrainCheckpoint', 'TrainInit', 'TrainPlan']) {
      const statements = statementsOf(other);
      const modify = statements.filter((s) => actionsOf([s]).includes('cassandra:Modify'));
      expect(text(modify)).not.toContain('active_model');
      const puts = statements.filter((s) => actionsOf([s]).some((a) => a.startsWith('s3:Put')));
      expect(text(puts)).not.toContain('models/*');
    }
  });

  it('lets Plan check for new data and Init read the active model for a warm start', () => {
    // ifNewData: the active model and the API's change markers; warmStart: which model serves.
    const plan = statementsOf('TrainPlan');
    const select = plan.filter((s) => actionsOf([s]).includes('cassandra:Select'));
    for (const table of ['active_model', 'data_changes', 'models', 'datasets']) {
      expect(text(select)).toContain(`table/${table}`);
    }
    expect(text(plan)).not.toContain('models/*');
    // A warm start reads the active model's bundle, and writes only the run's own files.
    const init = statementsOf('TrainInit');
    const reads = init.filter((s) => actionsOf([s]).some((a) => a.startsWith('s3:GetObject')));
    expect(text(reads)).toContain('models/*');
    expect(actionsOf(init).some((a) => a.startsWith('cassandra:'))).toBe(false);
  });
});
