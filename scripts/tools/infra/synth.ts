import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { readConfig } from '../../../infra/config.ts';
import { addNagChecks } from '../../../infra/nag.ts';
import { RecsysStack } from '../../../infra/stack.ts';

const CDK_JSON = fileURLToPath(new URL('../../../cdk.json', import.meta.url));

/** cdk.json's context (feature flags, defaults), which the CLI would pass to infra/app.ts. */
export function cdkJsonContext(): Record<string, unknown> {
  return (
    (JSON.parse(readFileSync(CDK_JSON, 'utf8')) as { context?: Record<string, unknown> }).context ??
    {}
  );
}

export interface SynthOptions {
  /** Context as `-c key=value` would give it (profile, concurrency, corsOrigins, …). */
  readonly context?: Record<string, string>;
  /** Cloud assembly folder (default: a temporary one chosen by the CDK). */
  readonly outdir?: string;
  /** Bundle the Lambdas and the web console for real (slow); templates are the same either way. */
  readonly bundle?: boolean;
  /** Run the cdk-nag AwsSolutions pack (default true): synth throws on unacknowledged findings. */
  readonly nag?: boolean;
  /**
   * A concrete account and region, as `cdk deploy` with credentials gives infra/app.ts (the CLI sets
   * CDK_DEFAULT_ACCOUNT/REGION); left out, the stack is environment-agnostic, as in `cdk synth`.
   */
  readonly env?: { readonly account: string; readonly region: string };
}

/**
 * The stack as `cdk synth` builds it (same context parsing, same nag checks), in this process.
 * Without `bundle`, asset bundling is skipped, which only changes asset hashes, so template
 * checks take seconds instead of the minute that bundling 22 functions takes.
 */
export function synthRecsys(options: SynthOptions = {}) {
  const app = new App({
    ...(options.outdir ? { outdir: options.outdir } : {}),
    context: {
      ...cdkJsonContext(),
      ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }),
      ...options.context,
    },
  });
  const config = readConfig((key) => app.node.tryGetContext(key));
  const stack = new RecsysStack(app, `Recsys-${config.envName}`, {
    ...config,
    ...(options.env ? { env: options.env } : {}),
  });
  if (options.nag ?? true) addNagChecks(app);
  return { app, stack, config };
}
