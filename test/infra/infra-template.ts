import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { expect } from 'vitest';
import { Storage } from '../../infra/constructs/storage.ts';
import { synthRecsys, type SynthOptions } from '../../scripts/tools/infra/synth.ts';

export type Statement = {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
};

/**
 * Synthesizes the whole stack as `cdk synth` would (cdk.json context, nag checks on), without
 * bundling. Returns the template, or the error synth threw (nag findings included).
 */
export function synthTemplate(options: SynthOptions = {}) {
  const { app, stack, config } = synthRecsys(options);
  let error: Error | undefined;
  let template: Template | undefined;
  try {
    const assembly = app.synth();
    template = Template.fromJSON(assembly.getStackByName(stack.stackName).template);
  } catch (caught) {
    error = caught as Error;
  }
  return { stack, config, template, error };
}

export const asArray = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** Every statement of every IAM policy (inline policies of roles included), by resource id. */
export function iamStatements(template: Template): { id: string; statement: Statement }[] {
  const out: { id: string; statement: Statement }[] = [];
  for (const [id, policy] of Object.entries(template.findResources('AWS::IAM::Policy'))) {
    for (const statement of policy.Properties.PolicyDocument.Statement as Statement[]) {
      out.push({ id, statement });
    }
  }
  for (const [id, role] of Object.entries(template.findResources('AWS::IAM::Role'))) {
    for (const policy of (role.Properties.Policies ?? []) as {
      PolicyDocument: { Statement: Statement[] };
    }[]) {
      for (const statement of policy.PolicyDocument.Statement) out.push({ id, statement });
    }
  }
  return out;
}

/**
 * Synthesizes one construct over a Storage in a bare stack, without bundling (template checks
 * only: scripts/tools/infra/bundle-size.ts and `cdk synth` bundle for real).
 */
export function synthConstruct(
  stackName: string,
  build: (stack: Stack, storage: Storage) => void,
): Template {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, stackName);
  const storage = new Storage(stack, 'Storage', { keyspaceName: 'recsys', retainData: false });
  build(stack, storage);
  return Template.fromStack(stack);
}

/** The IAM statements of the policies attached to the role of the function with this id prefix. */
export function functionStatements(template: Template, idPrefix: string): Statement[] {
  const functions = template.findResources('AWS::Lambda::Function');
  const [, fn] = Object.entries(functions).find(([id]) => id.startsWith(idPrefix))!;
  const roleId = (fn.Properties.Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0];
  const policies = template.findResources('AWS::IAM::Policy');
  return Object.values(policies)
    .filter((p) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === roleId))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
}

/** Every action of these statements. */
export const actionsOf = (statements: Statement[]) => statements.flatMap((s) => asArray(s.Action));

/** The template holds `count` Node 22 arm64 functions, each configured for Keyspaces. */
export function expectKeyspacesFunctions(template: Template, count: number) {
  const functions = template.findResources('AWS::Lambda::Function', {
    Properties: { Runtime: 'nodejs22.x' },
  });
  expect(Object.keys(functions)).toHaveLength(count);
  for (const fn of Object.values(functions)) {
    expect(fn.Properties.Architectures).toEqual(['arm64']);
    expect(fn.Properties.Environment.Variables).toMatchObject({
      RECSYS_DB: 'keyspaces',
      RECSYS_KEYSPACE: 'recsys',
    });
  }
}
