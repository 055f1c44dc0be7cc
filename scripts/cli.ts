import { Command } from 'commander';
import { registerCassandraCommands } from './commands/cassandra.ts';
import { registerDbCommands } from './commands/db.ts';
import { registerEvaluateCommand } from './commands/evaluate.ts';
import { registerGenerateCommand } from './commands/generate.ts';
import { registerS3Commands } from './commands/s3.ts';

const program = new Command('recsys')
  .description('Serverless MovieLens recommender: ingest, train ALS, serve recommendations.')
  .configureOutput({ outputError: (text, write) => write(text.split('\n')[0] + '\n') });

registerCassandraCommands(program);
registerDbCommands(program);
registerEvaluateCommand(program);
registerGenerateCommand(program);
registerS3Commands(program);

await program.parseAsync(process.argv);
