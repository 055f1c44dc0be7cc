/**
 * Lambda bundles carry their AWS SDK (issue 15, finding 12): the clients come from
 * package-lock.json, not from whatever SDK the Lambda runtime ships that week.
 */
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { API_ENTRY } from '../../infra/constructs/api.ts';
import { BUNDLING } from '../../infra/constructs/recsys-function.ts';

describe('Lambda bundles', () => {
  it('bundle @aws-sdk/* (client-s3, lib-storage, the credential provider), leaving nothing external', async () => {
    expect(BUNDLING.externalModules).toEqual([]);
    const result = await build({
      entryPoints: [API_ENTRY],
      bundle: true,
      write: false,
      outfile: 'index.mjs',
      format: BUNDLING.format,
      platform: BUNDLING.platform,
      target: BUNDLING.target,
      mainFields: [...BUNDLING.mainFields],
      banner: { js: BUNDLING.banner },
      minify: BUNDLING.minify,
      external: [...BUNDLING.externalModules],
      metafile: true,
      logLevel: 'error',
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
