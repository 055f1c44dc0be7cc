/**
 * One Lambda of a pipeline, under the name its state machine gives it (`${…FunctionArn}` in the
 * ASL): everything about it in one row. infra/constructs deploys it from this row, and the local
 * runner (`recsys ingest`, `recsys train`) serves the same substitution with the same module and
 * timeout, so the two cannot drift apart.
 */
export interface PipelineFunction {
  /** Handler module, relative to the repository root; it exports `handler`. */
  readonly module: string;
  /** The Lambda timeout; the local runner stops the handler after it too. */
  readonly timeoutSeconds: number;
  /** Memory it wants; a deployment gives it at most the account's quota (-c maxMemoryMb). */
  readonly memoryMb: number;
  /** Key patterns of the bucket it may touch (`runs/*`); none where left out. */
  readonly s3?: {
    readonly read?: readonly string[];
    readonly write?: readonly string[];
    readonly delete?: readonly string[];
  };
  /** Keyspaces tables it may select from and modify; none where left out. */
  readonly tables?: {
    readonly select?: readonly string[];
    readonly modify?: readonly string[];
  };
}

/** A pipeline's functions, by the ASL substitution each one fills. */
export type PipelineFunctions = Readonly<Record<string, PipelineFunction>>;
