import type { Command } from 'commander';
import { ensureS3, s3Status, stopS3 } from '../../runtime/s3/local-s3.ts';
import { action } from '../lib/cli-support.ts';

export function registerS3Commands(program: Command): void {
  const s3 = program
    .command('s3')
    .description(
      'local S3 endpoint (S3_ENDPOINT, default http://127.0.0.1:4566): LocalStack with Docker, else moto',
    );

  s3.command('start')
    .description('start the local S3 server, or reuse one that already answers')
    .action(
      action(async () => {
        const result = await ensureS3({ log: (line) => console.error(line) });
        const how = result.startedByUs ? `started in ${result.seconds} s` : 'already running';
        console.log(`S3 (${result.server}) at ${result.endpoint}: ${how}`);
      }),
    );

  s3.command('stop')
    .description(
      'stop the local S3 server this project started (moto keeps its objects in .local/s3/data)',
    )
    .action(
      action(async () => {
        console.log(
          (await stopS3()) ? 'S3 stopped' : 'no S3 server started by this project was running',
        );
      }),
    );

  s3.command('status')
    .description('say whether the local S3 endpoint answers and who runs it')
    .option('--json', 'print one JSON object')
    .action(
      action(async (options: { json?: boolean }) => {
        const status = await s3Status();
        if (options.json) {
          console.log(
            JSON.stringify({ ...status, server: status.server ?? null, pid: status.pid ?? null }),
          );
        } else if (status.answering) {
          const pid = status.pid === undefined ? '' : `, pid ${status.pid}`;
          console.log(`S3 answering at ${status.endpoint} (${status.server}${pid})`);
        } else {
          console.log(`S3 not answering at ${status.endpoint}`);
        }
      }),
    );
}
