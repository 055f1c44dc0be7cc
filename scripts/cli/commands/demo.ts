import type { Command } from 'commander';
import { action, intOption } from '../lib/cli-support.ts';
import { runDemo } from '../../runtime/demo/run-demo.ts';

interface DemoCliOptions {
  dir?: string;
  port: number;
  host: string;
  keyspace: string;
  serve: boolean;
  force?: boolean;
  json?: boolean;
}

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description(
      'the whole pipeline on one data set (ingest, train, evaluate), then the API and web UI until Ctrl-C; unchanged steps are skipped',
    )
    .option(
      '--dir <dir>',
      'MovieLens folder (default: $MOVIELENS_DIR, ../shared/datasets/ml-latest-small, data/ml-latest-small, a fetch, else a generated set)',
    )
    .option(
      '--port <port>',
      'port of the API and web UI (0: any free port)',
      intOption(0, 65_535),
      3000,
    )
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option(
      '--keyspace <name>',
      "the demo's own keyspace (reset when the data set changes)",
      'recsys_demo',
    )
    .option('--no-serve', 'run the pipeline, print the summary and exit')
    .option('--force', 'redo every step even when its inputs did not change')
    .option('--json', 'print the summary as one JSON object on stdout')
    .action(async (opts: DemoCliOptions) => {
      await action(runDemo)({
        dir: opts.dir,
        port: opts.port,
        host: opts.host,
        keyspace: opts.keyspace,
        serve: opts.serve,
        force: opts.force ?? false,
        json: opts.json ?? false,
      });
      // A failed run may leave worker threads or driver sockets open: exit with its status.
      if (process.exitCode) process.exit(process.exitCode);
    });
}
