import type { Command } from 'commander';
import {
  CassandraStartError,
  cassandraStatus,
  ensureCassandra,
  stopCassandra,
} from '../../runtime/cassandra/local-cassandra.ts';
import { action } from '../lib/cli-support.ts';

const say = (msg: string): void => console.log(msg);

/** Exit code of `status` when nothing answers, as LSB init scripts use for "program is not running". */
const NOT_RUNNING = 3;

export function registerCassandraCommands(program: Command): void {
  const cassandra = program
    .command('cassandra')
    .description(
      'Local Cassandra 5 on 127.0.0.1:9042 (CASSANDRA_HOST/CASSANDRA_PORT): the cassandra:5 image when Docker ' +
        'answers, otherwise Apache Cassandra from Maven Central on the local JDK.',
    );

  cassandra
    .command('start')
    .description('start Cassandra (or reuse the one already answering) and wait until CQL answers')
    .action(
      action(async () => {
        try {
          const result = await ensureCassandra({ log: say });
          const how = result.startedByUs
            ? `started in ${result.seconds.toFixed(1)} s${result.pid === undefined ? '' : ` (pid ${result.pid})`}`
            : 'already running';
          say(`Cassandra ${result.releaseVersion} ready at ${result.contactPoint}: ${how}`);
        } catch (error) {
          // action() prints only the first line; the log tail below it is what explains a failed start.
          if (error instanceof CassandraStartError && error.logTail) {
            process.stderr.write(
              `--- last lines of the Cassandra log ---\n${error.logTail}\n---\n`,
            );
          }
          throw error;
        }
      }),
    );

  cassandra
    .command('stop')
    .description(
      'stop the Cassandra this project started (SIGTERM, then SIGKILL after 60 s; or docker stop)',
    )
    .action(
      action(async () => {
        const started = performance.now();
        const stopped = await stopCassandra({ log: say });
        const seconds = ((performance.now() - started) / 1000).toFixed(1);
        say(
          stopped
            ? `Cassandra stopped in ${seconds} s`
            : 'No Cassandra started by recsys is running',
        );
      }),
    );

  cassandra
    .command('status')
    .description('print whether Cassandra answers CQL (exit code 0) or not (exit code 3)')
    .action(
      action(async () => {
        const status = await cassandraStatus();
        const where = [
          status.pid === undefined ? undefined : `pid ${status.pid}`,
          status.container === undefined ? undefined : `container ${status.container}`,
        ]
          .filter(Boolean)
          .join(', ');
        if (status.running) {
          say(
            `running: Cassandra ${status.releaseVersion} at ${status.contactPoint}${where ? ` (${where})` : ''}`,
          );
        } else {
          const starting =
            status.pid === undefined
              ? ''
              : ` (pid ${status.pid} is alive: still starting or unhealthy)`;
          say(`not running: nothing answers CQL at ${status.contactPoint}${starting}`);
          process.exitCode = NOT_RUNNING;
        }
      }),
    );
}
