import { Command } from 'commander';
import { registerCassandraCommands } from './commands/cassandra.ts';
import { registerDbCommands } from './commands/db.ts';
import { registerDemoCommand } from './commands/demo.ts';
import { registerEvaluateCommand } from './commands/evaluate.ts';
import { registerGenerateCommand } from './commands/generate.ts';
import { registerIngestCommands } from './commands/ingest.ts';
import { registerModelsCommands } from './commands/models.ts';
import { registerExperimentsCommands } from './commands/experiments.ts';
import { registerS3Commands } from './commands/s3.ts';
import { registerTrainCommand } from './commands/train.ts';
import { registerServeCommand } from './commands/serve.ts';
import { registerPlanCommand } from './commands/plan.ts';

const program = new Command('recsys')
  .description('Serverless MovieLens recommender: ingest, train ALS, serve recommendations.')
  .configureOutput({ outputError: (text, write) => write(text.split('\n')[0] + '\n') });

registerCassandraCommands(program);
registerDbCommands(program);
registerEvaluateCommand(program);
registerGenerateCommand(program);
registerIngestCommands(program);
registerS3Commands(program);
registerTrainCommand(program);
registerModelsCommands(program);
registerExperimentsCommands(program);
registerServeCommand(program);
registerPlanCommand(program);
registerDemoCommand(program);

await program.parseAsync(process.argv);
