import { Template } from 'aws-cdk-lib/assertions';
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
