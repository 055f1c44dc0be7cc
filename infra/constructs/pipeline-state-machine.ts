import {
  Arn,
  ArnFormat,
  Stack,
  aws_iam as iam,
  aws_lambda as lambda,
  aws_stepfunctions as sfn,
} from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { readFileSync } from 'node:fs';
import { PROJECT_ROOT } from '../project-root.ts';
import { stateMachineObservability } from './observability.ts';

export interface PipelineStateMachineProps {
  /** Appended to the stack name: `<stack>-<suffix>`. */
  readonly nameSuffix: string;
  /** Path of the ASL file from the repository root (the file the local runner executes). */
  readonly definitionFile: string;
  /** Lambda per definition substitution (`…FunctionArn`). */
  readonly functions: Readonly<Record<string, lambda.IFunction>>;
}

/**
 * The execution timeout of an ASL file: its top-level TimeoutSeconds. It must be in the file: CDK
 * applies a StateMachine's `timeout` only to definitions it builds from chained states, and drops it
 * for a definition read from a file, so without it an execution could run for a year and the
 * TimedOut alarm could never fire.
 */
export function definitionTimeoutSeconds(definitionFile: string): number {
  const definition = JSON.parse(readFileSync(`${PROJECT_ROOT}${definitionFile}`, 'utf8')) as {
    TimeoutSeconds?: unknown;
  };
  const timeout = definition.TimeoutSeconds;
  if (typeof timeout !== 'number' || !Number.isInteger(timeout) || timeout < 1) {
    throw new Error(`${definitionFile} has no top-level TimeoutSeconds`);
  }
  return timeout;
}

/**
 * A pipeline's state machine from its ASL file, with its Lambdas substituted and invokable, logging
 * and X-Ray on, and the rights its DISTRIBUTED Maps need to run their items as child executions.
 */
export function pipelineStateMachine(
  scope: Construct,
  props: PipelineStateMachineProps,
): sfn.StateMachine {
  definitionTimeoutSeconds(props.definitionFile);
  const stack = Stack.of(scope);
  const stateMachineName = `${stack.stackName}-${props.nameSuffix}`;
  const stateMachine = new sfn.StateMachine(scope, 'StateMachine', {
    stateMachineName,
    definitionBody: sfn.DefinitionBody.fromFile(`${PROJECT_ROOT}${props.definitionFile}`),
    definitionSubstitutions: Object.fromEntries(
      Object.entries(props.functions).map(([substitution, fn]) => [substitution, fn.functionArn]),
    ),
    ...stateMachineObservability(scope, stateMachineName),
  });
  for (const fn of Object.values(props.functions)) fn.grantInvoke(stateMachine);
  // The ARNs are built from the name: referring to the state machine's own ARN would be a
  // circular dependency.
  const arn = (resource: string, resourceName: string) =>
    Arn.format(
      { service: 'states', resource, resourceName, arnFormat: ArnFormat.COLON_RESOURCE_NAME },
      stack,
    );
  stateMachine.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['states:StartExecution'],
      resources: [arn('stateMachine', stateMachineName)],
    }),
  );
  stateMachine.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['states:DescribeExecution', 'states:StopExecution'],
      resources: [arn('execution', `${stateMachineName}/*`)],
    }),
  );
  return stateMachine;
}
