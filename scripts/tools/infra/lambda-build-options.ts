import type { BuildOptions } from 'esbuild';
import { BUNDLING } from '../../../infra/constructs/recsys-function.ts';

/**
 * The esbuild options the stack's NodejsFunction builds a Lambda with (infra's BUNDLING settings),
 * for measuring and checking bundles outside CDK.
 */
export function lambdaBuildOptions(entry: string): BuildOptions {
  return {
    entryPoints: [entry],
    bundle: true,
    format: BUNDLING.format,
    platform: BUNDLING.platform,
    target: BUNDLING.target,
    mainFields: [...BUNDLING.mainFields],
    banner: { js: BUNDLING.banner },
    minify: BUNDLING.minify,
    sourcemap: BUNDLING.sourcemap,
    external: [...BUNDLING.externalModules],
    logLevel: 'error',
  };
}
