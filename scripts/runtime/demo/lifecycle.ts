import { stopCassandra } from '../cassandra/local-cassandra.ts';
import type { LocalServices } from '../local-pipeline.ts';
import { stopS3 } from '../s3/local-s3.ts';

/**
 * Ctrl-C and SIGTERM: close the server and the clients, stop Cassandra and S3 only when this demo
 * started them (someone else's keep running), then exit 0 once serving, 130 when interrupted before.
 * A second signal exits at once.
 */
export class DemoLifecycle {
  serving = false;
  private readonly stops: (() => Promise<void>)[] = [];
  private services: Promise<LocalServices> | undefined;
  private stopping = false;

  constructor(private readonly log: (line: string) => void) {}

  listen(): void {
    const onSignal = (signal: NodeJS.Signals): void => {
      if (this.stopping) {
        this.log(`${signal} again: exiting without waiting`);
        process.exit(130);
      }
      this.log(`${signal}: stopping`);
      void this.stop(this.serving ? 0 : 130);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }

  /** Remembers the servers being found or started, so a signal during start-up stops them too. */
  track(services: Promise<LocalServices>): Promise<LocalServices> {
    this.services = services;
    return services;
  }

  /** Work for shutdown, run newest first. */
  onStop(fn: () => Promise<void>): void {
    this.stops.push(fn);
  }

  async stop(code: number): Promise<never> {
    await this.shutdown();
    process.exit(code);
  }

  async shutdown(): Promise<void> {
    this.stopping = true;
    for (const fn of this.stops.splice(0).reverse()) await fn().catch(() => undefined);
    const services = await this.services?.catch(() => undefined);
    if (services?.s3.startedByUs && (await stopS3())) {
      this.log('stopped the S3 endpoint it started');
    }
    if (services?.cassandra.startedByUs && (await stopCassandra({ log: this.log }))) {
      this.log('stopped the Cassandra it started');
    }
  }
}
