/**
 * Lambda bundles carry their AWS SDK (issue 15, finding 12): the clients come from
 * package-lock.json, not from whatever SDK the Lambda runtime ships that week.
 */
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { API_ENTRY } from '../../infra/constructs/api.ts';
import { BUNDLING } from '../../infra/constructs/recsys-function.ts';
import { lambdaBuildOptions } from '../../scripts/tools/infra/lambda-build-options.ts';

describe('Lambda bundles', () => {
  it('bundle @aws-sdk/* (client-s3, lib-storage, the credential provider), leaving nothing external', async () => {
    expect(BUNDLING.externalModules).toEqual([]);
    const result = await build({
      ...lambdaBuildOptions(API_ENTRY),
      // In memory, and the bundle alone: its source map would be a second output.
      write: false,
      sourcemap: false,
      outfile: 'index.mjs',
      metafile: true,
    });
    const [output] = Object.values(result.metafile.outputs);
    const external = output!.imports.filter((i) => i.external).map((i) => i.path);
    // Only Node's own modules stay outside the bundle.
    expect(external.filter((path) => !/^node:|^[a-z_]+$/.test(path))).toEqual([]);
    const inputs = Object.keys(result.metafile.inputs);
    for (const pkg of ['client-s3', 'lib-storage', 'credential-provider-node']) {
      expect(
        inputs.some((path) => path.includes(`node_modules/@aws-sdk/${pkg}/`)),
        pkg,
      ).toBe(true);
    }
    // Still inside the bundle-size goal (npm run bundle-size measures every function).
    expect(output!.bytes).toBeLessThanOrEqual(1.5 * 1024 * 1024);
  }, 60_000);
});
