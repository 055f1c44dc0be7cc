import type { HandlerBinding } from '../local-sfn/index.ts';

export const INGEST_DEFINITION = 'statemachines/ingest.asl.json';

/** The ASL's function substitutions → the handler modules the CDK stack deploys for them. */
export const INGEST_HANDLERS: Readonly<Record<string, HandlerBinding>> = {
  ValidateFunctionArn: { module: 'lambdas/ingest-validate/handler.ts', timeoutSeconds: 300 },
  PlanFunctionArn: { module: 'lambdas/ingest-plan/handler.ts', timeoutSeconds: 300 },
  ChunkFunctionArn: { module: 'lambdas/ingest-chunk/handler.ts', timeoutSeconds: 900 },
  CatalogueFunctionArn: { module: 'lambdas/ingest-catalogue/handler.ts', timeoutSeconds: 900 },
  AggregateFunctionArn: { module: 'lambdas/ingest-aggregate/handler.ts', timeoutSeconds: 900 },
  FinishFunctionArn: { module: 'lambdas/ingest-finish/handler.ts', timeoutSeconds: 120 },
};
