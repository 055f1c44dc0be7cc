/**
 * Helper of `local-aws.sh cassandra-image` / `cassandra-start` (a test fixture, docs/local-aws.md).
 *
 *   context DIR        the image's build context: the jars of the JVM path's classpath (jvm.ts
 *                      resolveClasspath, the same Maven resolution and the same cache), the
 *                      project's cassandra.yaml and logback.xml, and jvm.args: the JVM path's own
 *                      jvmArguments() with paths inside the image
 *   wait HOST:PORT S   waits up to S seconds until CQL answers there and lets the superuser in
 */
import { copyFileSync, linkSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { jvmArguments, resolveClasspath } from '../../runtime/cassandra/jvm.ts';
import { probeCql } from '../../runtime/cassandra/probe.ts';
import { cassandraPaths, cassandraSettings } from '../../runtime/cassandra/settings.ts';

/** Where the image keeps things (cassandra-image.Dockerfile and its entrypoint use the same). */
export const IMAGE_LIB = '/opt/cassandra/lib';
export const IMAGE_CONF = '/etc/cassandra';
export const IMAGE_HOME = '/var/lib/cassandra';

function argFileLine(arg: string): string {
  return `"${arg.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

async function context(dir: string): Promise<void> {
  const paths = cassandraPaths();
  const classpath = await resolveClasspath(paths, (msg) => console.error(msg));
  mkdirSync(join(dir, 'lib'), { recursive: true });
  const inImage: string[] = [];
  for (const jar of classpath) {
    const name = basename(jar);
    const target = join(dir, 'lib', name);
    if (inImage.includes(`${IMAGE_LIB}/${name}`)) throw new Error(`two jars named ${name}`);
    try {
      linkSync(jar, target);
    } catch {
      copyFileSync(jar, target);
    }
    inImage.push(`${IMAGE_LIB}/${name}`);
  }
  copyFileSync(paths.yaml, join(dir, 'cassandra.yaml'));
  copyFileSync(paths.logback, join(dir, 'logback.xml'));
  // The JVM path's own arguments, with the image's paths. Port 9042 and storage port 7000 inside
  // the container (its own address); the entrypoint writes the yaml the config URL names (the
  // project's, with the container's addresses) and appends heap and extra options after these.
  const settings = cassandraSettings({ CASSANDRA_HEAP: '768m' });
  const args = jvmArguments(
    settings,
    {
      ...paths,
      yaml: `${IMAGE_HOME}/cassandra.yaml`,
      logback: `${IMAGE_CONF}/logback.xml`,
      stateDir: `${IMAGE_HOME}/log`,
      dataDir: `${IMAGE_HOME}/data`,
    },
    inImage,
  );
  writeFileSync(join(dir, 'jvm.args'), args.map(argFileLine).join('\n') + '\n');
  console.error(`cassandra-image: context ${dir}: ${inImage.length} jars, jvm.args`);
}

async function wait(contactPoint: string, seconds: number): Promise<void> {
  const [host, port] = contactPoint.split(':');
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const probe = await probeCql(host ?? '127.0.0.1', Number(port ?? 9042), 3000);
    if (probe.state === 'up') {
      console.error(
        `cassandra-image: Cassandra ${probe.releaseVersion} answers at ${contactPoint}`,
      );
      return;
    }
    // 'login-refused' too: the default superuser is created a moment after CQL opens.
    if (Date.now() > deadline) {
      throw new Error(`no CQL with the superuser's login at ${contactPoint} after ${seconds} s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

const [command, first, second] = process.argv.slice(2);
if (command === 'context' && first) {
  await context(first);
} else if (command === 'wait' && first) {
  await wait(first, Number(second ?? 180));
} else {
  console.error('usage: cassandra-image.ts context DIR | wait HOST:PORT [SECONDS]');
  process.exit(2);
}
