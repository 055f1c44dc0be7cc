import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { Ingestion } from '../../infra/constructs/ingestion.ts';
import { Storage } from '../../infra/constructs/storage.ts';
import {
  INGEST_FUNCTIONS,
  TRAIN_STATE_MACHINE_SUBSTITUTION,
} from '../../statemachines/ingest.functions.ts';

let template: Template;

type Statement = { Action: string | string[]; Resource: unknown; Effect: string };

/** The IAM statements of the policy attached to the role of the function with this id prefix. */
function statementsOf(functionId: string): Statement[] {
  const functions = template.findResources('AWS::Lambda::Function');
  const [, fn] = Object.entries(functions).find(([id]) => id.startsWith(`Ingestion${functionId}`))!;
  const roleId = (fn.Properties.Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0];
  const policies = template.findResources('AWS::IAM::Policy');
  return Object.values(policies)
    .filter((p) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === roleId))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
}

const actionsOf = (statements: Statement[]) =>
  statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));

beforeAll(() => {
  // Template checks only: scripts/tools/infra/bundle-size.ts and `cdk synth` bundle for real.
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'IngestTest');
  const storage = new Storage(stack, 'Storage', { keyspaceName: 'recsys', retainData: false });
  new Ingestion(stack, 'Ingestion', { bucket: storage.bucket, keyspaceName: 'recsys' });
  template = Template.fromStack(stack);
}, 60_000);

describe('Ingestion construct', () => {
  it('deploys one Node 22 arm64 Lambda per ingest state, configured for Keyspaces', () => {
    const functions = template.findResources('AWS::Lambda::Function', {
      Properties: { Runtime: 'nodejs22.x' },
    });
    expect(Object.keys(functions)).toHaveLength(Object.keys(INGEST_FUNCTIONS).length);
    for (const fn of Object.values(functions)) {
      expect(fn.Properties.Architectures).toEqual(['arm64']);
      expect(fn.Properties.Environment.Variables).toMatchObject({
        RECSYS_DB: 'keyspaces',
        RECSYS_KEYSPACE: 'recsys',
      });
    }
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
    expect(JSON.stringify(modify.Resource)).not.toMatch(/datasets|movies/);
    const plan = statementsOf('Plan');
    expect(actionsOf(plan).some((a) => a.startsWith('cassandra:'))).toBe(false);
    expect(actionsOf(plan).some((a) => a.startsWith('s3:Put'))).toBe(false);
  });

  it('turns on client-side timestamps for the ratings tables (their writes carry USING TIMESTAMP)', () => {
    for (const table of ['ratings_by_user', 'ratings_by_movie']) {
      template.hasResourceProperties('AWS::Cassandra::Table', {
        TableName: table,
        ClientSideTimestampsEnabled: true,
      });
    }
  });
});
