import { Duration, type aws_lambda_nodejs as nodejs, type aws_s3 as s3 } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { PipelineFunctions } from '../../statemachines/pipeline-function.ts';
import { roleOf } from '../../statemachines/function-roles.ts';
import { grantKeyspaces, recsysFunction, type DataTarget } from './recsys-function.ts';

/** Where a pipeline's functions keep their data, and the account limits they deploy within. */
export interface PipelineDataProps {
  readonly bucket: s3.IBucket;
  readonly keyspaceName: string;
  readonly target?: DataTarget;
  /** The account's Lambda memory quota: no function gets more. */
  readonly maxMemoryMb?: number;
  readonly retainData?: boolean;
}

export interface PipelineFunctionsProps extends PipelineDataProps {
  /** Powertools service name of every function of the pipeline. */
  readonly service: string;
  /** Extra environment of some functions, by substitution: what the deployment sizes them to. */
  readonly environment?: Readonly<Record<string, Record<string, string>>>;
}

/**
 * One Lambda per row of a pipeline's function table (statemachines/*.functions.ts), named after
 * its substitution (`ChunkFunctionArn` → `Chunk`), with exactly the S3 prefixes and Keyspaces
 * tables the row lists.
 */
export function pipelineFunctions(
  scope: Construct,
  functions: PipelineFunctions,
  props: PipelineFunctionsProps,
): Record<string, nodejs.NodejsFunction> {
  const deployed: Record<string, nodejs.NodejsFunction> = {};
  for (const [substitution, spec] of Object.entries(functions)) {
    const environment = props.environment?.[substitution];
    const fn = recsysFunction(scope, substitution.replace(/FunctionArn$/, ''), {
      entry: spec.module,
      memoryMb: spec.memoryMb,
      timeout: Duration.seconds(spec.timeoutSeconds),
      service: props.service,
      bucket: props.bucket,
      keyspaceName: props.keyspaceName,
      ...(props.target ? { target: props.target } : {}),
      ...(props.maxMemoryMb ? { maxMemoryMb: props.maxMemoryMb } : {}),
      ...(props.retainData ? { retainData: true } : {}),
      ...(environment ? { environment } : {}),
      cassandraRole: roleOf(substitution).role,
    });
    for (const prefix of spec.s3?.read ?? []) props.bucket.grantRead(fn, prefix);
    for (const prefix of spec.s3?.write ?? []) props.bucket.grantPut(fn, prefix);
    for (const prefix of spec.s3?.delete ?? []) props.bucket.grantDelete(fn, prefix);
    grantKeyspaces(fn, props.keyspaceName, spec.tables ?? {});
    deployed[substitution] = fn;
  }
  return deployed;
}
