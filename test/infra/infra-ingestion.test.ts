import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { Ingestion } from '../../infra/constructs/ingestion.ts';
import {
  INGEST_FUNCTIONS,
  TRAIN_STATE_MACHINE_SUBSTITUTION,
} from '../../statemachines/ingest.functions.ts';

import {
  actionsOf,
  expectKeyspacesFunctions,
  functionStatements,
  synthConstruct,
} from './infra-template.ts';

let template: Template;

const statementsOf = (functionId: string) => functionStatements(template, `Ingestion${functionId}`);

beforeAll(() => {
  template = synthConstruct('IngestTest', (stack, storage) => {
    new Ingestion(stack, 'Ingestion', { bucket: storage.bucket, keyspaceName: 'recsys' });
  });
}, 60_000);

describe('Ingestion construct', () => {
  it('deploys one Node 22 arm64 Lambda per ingest state, configured for Keyspaces', () => {
    expectKeyspacesFunctions(template, Object.keys(INGEST_FUNCTIONS).length);
  });

  it('builds the state machine from ingest.asl.json with every function substituted, and the train machine', () => {
    const machines = Object.values(template.findResources('AWS::StepFunctions::StateMachine'));
    expect(machines).toHaveLength(1);
    const substitutions = machines[0]!.Properties.DefinitionSubstitutions as Record<
      string,
      unknown
    >;
    expect(Object.keys(substitutions).sort()).toEqual(
      [...Object.keys(INGEST_FUNCTIONS), TRAIN_STATE_MACHINE_SUBSTITUTION].sort(),
    );
    // The stack's train machine, by name (it is built after this one).
    expect(JSON.stringify(substitutions[TRAIN_STATE_MACHINE_SUBSTITUTION])).toContain(
      ':stateMachine:IngestTest-train',
    );
  });

  it('starts the state machine when a manifest lands under datasets/', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.s3'],
        'detail-type': ['Object Created'],
        detail: { object: { key: [{ wildcard: 'datasets/*/manifest.json' }] } },
      },
      Targets: [
        Match.objectLike({
          InputTransformer: Match.objectLike({
            InputPathsMap: { 'detail-object-key': '$.detail.object.key' },
          }),
        }),
      ],
    });
  });

  it('grants each Lambda only its own tables and prefixes', () => {
    const chunk = statementsOf('Chunk');
    expect(actionsOf(chunk)).toContain('cassandra:Modify');
    expect(actionsOf(chunk)).not.toContain('s3:DeleteObject*');
    const modify = chunk.find((s) => s.Action === 'cassandra:Modify')!;
    expect(JSON.stringify(modify.Resource)).toMatch(/ratings_by_user/);
    // Each rating is written once: nothing by movie (the raters index comes from training).
    expect(JSON.stringify(modify.Resource)).not.toMatch(/datasets|movies|by_movie/);
    const plan = statementsOf('Plan');
    expect(actionsOf(plan).some((a) => a.startsWith('cassandra:'))).toBe(false);
    expect(actionsOf(plan).some((a) => a.startsWith('s3:Put'))).toBe(false);
  });

  it('turns on client-side timestamps for the rating tables (their writes carry USING TIMESTAMP)', () => {
    for (const table of ['ratings_by_user', 'rating_changes_by_movie']) {
      template.hasResourceProperties('AWS::Cassandra::Table', {
        TableName: table,
        ClientSideTimestampsEnabled: true,
      });
    }
  });
});
