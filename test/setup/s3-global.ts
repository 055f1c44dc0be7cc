import { ensureS3, stopS3 } from '../../scripts/runtime/s3/local-s3.ts';

/**
 * One local S3 endpoint for the integration run: reuses one that answers, otherwise starts moto
 * (or LocalStack with a Docker engine), stopping it afterwards only if this run started it.
 */
export default async function setup(): Promise<() => Promise<void>> {
  const log = (line: string): void => console.log(`[integration] ${line}`);
  const result = await ensureS3({ log });
  process.env.S3_ENDPOINT = result.endpoint;
  return async () => {
    if (result.startedByUs && process.env.RECSYS_KEEP_S3 !== '1') await stopS3();
  };
}
