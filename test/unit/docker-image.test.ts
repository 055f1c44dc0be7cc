import { describe, expect, it } from 'vitest';
import {
  decideDocker,
  dockerFailureLine,
  pullTimeoutMs,
  type DockerChoice,
  type DockerFacts,
} from '../../scripts/runtime/docker-image.ts';

const cassandra = (mode: DockerChoice['mode'], facts: DockerFacts | undefined): DockerChoice => ({
  mode,
  facts,
  image: 'cassandra:5',
  service: 'Cassandra',
  fallback: 'running Cassandra 5 from Maven jars on the JDK',
  modeVariable: 'RECSYS_CASSANDRA_MODE',
});

const noRegistry =
  'Error response from daemon: Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io: no such host';

describe('decideDocker: the Docker image or the Docker-free launcher', () => {
  it('uses Docker when the engine answers and the image is here or was pulled', () => {
    for (const mode of ['auto', 'docker'] as const) {
      expect(decideDocker(cassandra(mode, { engine: true, image: 'present' }))).toEqual({
        use: 'docker',
        image: 'cassandra:5',
      });
      expect(decideDocker(cassandra(mode, { engine: true, image: 'pulled' }))).toEqual({
        use: 'docker',
        image: 'cassandra:5',
      });
    }
  });

  it('falls back quietly in auto mode when no engine answers', () => {
    const decision = decideDocker(cassandra('auto', { engine: false }));
    expect(decision).toEqual({ use: 'fallback', why: 'no Docker engine answers `docker info`' });
  });

  it('falls back in auto mode with one line saying why when the image cannot be had', () => {
    const decision = decideDocker(
      cassandra('auto', { engine: true, image: 'unavailable', reason: noRegistry }),
    );
    expect(decision).toEqual({
      use: 'fallback',
      why: `Docker answers but image cassandra:5 cannot be had (${noRegistry})`,
      announce:
        `cassandra: Docker answers but image cassandra:5 cannot be had (${noRegistry}); ` +
        'running Cassandra 5 from Maven jars on the JDK instead',
    });
    expect('announce' in decision && decision.announce).not.toContain('\n');
  });

  it('fails with the one-line reason when the mode insists on Docker', () => {
    expect(
      decideDocker(cassandra('docker', { engine: true, image: 'unavailable', reason: noRegistry })),
    ).toEqual({
      fail: `cannot use Docker (RECSYS_CASSANDRA_MODE=docker): Docker answers but image cassandra:5 cannot be had (${noRegistry})`,
    });
    expect(decideDocker(cassandra('docker', { engine: false }))).toEqual({
      fail: 'cannot use Docker (RECSYS_CASSANDRA_MODE=docker): no Docker engine answers `docker info`',
    });
  });

  it('never asks Docker in the fallback mode', () => {
    expect(decideDocker(cassandra('fallback', undefined))).toEqual({
      use: 'fallback',
      why: 'RECSYS_CASSANDRA_MODE selects it',
    });
  });

  it('names the service and its fallback for S3 too', () => {
    const decision = decideDocker({
      mode: 'auto',
      facts: { engine: true, image: 'unavailable', reason: 'manifest unknown' },
      image: 'localstack/localstack:4.9',
      service: 'S3',
      fallback: 'running moto on python3',
      modeVariable: 'RECSYS_S3_MODE',
    });
    expect(decision).toMatchObject({
      use: 'fallback',
      announce:
        's3: Docker answers but image localstack/localstack:4.9 cannot be had (manifest unknown); running moto on python3 instead',
    });
  });
});

describe('decideDocker with a stand-in image built here', () => {
  const withStandIn = (mode: DockerChoice['mode'], facts: DockerFacts): DockerChoice => ({
    ...cassandra(mode, facts),
    standIn: { image: 'recsys-local/cassandra:5.0.6', builtBy: 'local-aws.sh cassandra-image' },
  });
  const unavailable = (standInPresent: boolean): DockerFacts => ({
    engine: true,
    image: 'unavailable',
    reason: noRegistry,
    standInPresent,
  });

  it('runs the stand-in, saying so in one line, when the image cannot be pulled but the stand-in is here', () => {
    for (const mode of ['auto', 'docker'] as const) {
      const decision = decideDocker(withStandIn(mode, unavailable(true)));
      expect(decision).toEqual({
        use: 'docker',
        image: 'recsys-local/cassandra:5.0.6',
        announce:
          `cassandra: Docker answers but image cassandra:5 cannot be had (${noRegistry}); ` +
          'using recsys-local/cassandra:5.0.6 (built here by local-aws.sh cassandra-image) instead',
      });
    }
  });

  it('prefers the real image whenever it is here or pulls', () => {
    expect(decideDocker(withStandIn('auto', { engine: true, image: 'pulled' }))).toEqual({
      use: 'docker',
      image: 'cassandra:5',
    });
  });

  it('falls back to the JVM when the stand-in is absent too, naming what would build it', () => {
    expect(decideDocker(withStandIn('auto', unavailable(false)))).toEqual({
      use: 'fallback',
      why: `Docker answers but image cassandra:5 cannot be had (${noRegistry})`,
      announce:
        `cassandra: Docker answers but image cassandra:5 cannot be had (${noRegistry}), ` +
        'and no recsys-local/cassandra:5.0.6 here (local-aws.sh cassandra-image builds it); ' +
        'running Cassandra 5 from Maven jars on the JDK instead',
    });
    expect(decideDocker(withStandIn('docker', unavailable(false)))).toEqual({
      fail: `cannot use Docker (RECSYS_CASSANDRA_MODE=docker): Docker answers but image cassandra:5 cannot be had (${noRegistry})`,
    });
  });

  it('has no stand-in without an engine', () => {
    expect(decideDocker(withStandIn('auto', { engine: false }))).toEqual({
      use: 'fallback',
      why: 'no Docker engine answers `docker info`',
    });
  });
});

describe('dockerFailureLine', () => {
  it("keeps the first non-empty line of docker's error", () => {
    const stderr = `\nUnable to find image 'cassandra:5' locally\n${noRegistry}\nSee 'docker run --help'.\n`;
    expect(dockerFailureLine('docker pull cassandra:5', { code: 1, stdout: '', stderr }, 1)).toBe(
      "Unable to find image 'cassandra:5' locally",
    );
  });

  it('says when the pull ran out of time, or only how it exited', () => {
    expect(
      dockerFailureLine(
        'docker pull cassandra:5',
        { code: null, stdout: '', stderr: '', timedOut: true },
        120_000,
      ),
    ).toBe(
      'docker pull cassandra:5 did not finish within 120 s; set RECSYS_DOCKER_PULL_TIMEOUT_S to wait longer',
    );
    expect(dockerFailureLine('docker pull x', { code: 125, stdout: '', stderr: ' \n' }, 1)).toBe(
      'docker pull x exited with code 125',
    );
  });
});

describe('pullTimeoutMs', () => {
  it('waits 120 s in auto mode unless told otherwise, and long when Docker is required', () => {
    expect(pullTimeoutMs('auto', {})).toBe(120_000);
    expect(pullTimeoutMs('auto', { RECSYS_DOCKER_PULL_TIMEOUT_S: '30' })).toBe(30_000);
    expect(pullTimeoutMs('docker', { RECSYS_DOCKER_PULL_TIMEOUT_S: '30' })).toBe(15 * 60_000);
    expect(() => pullTimeoutMs('auto', { RECSYS_DOCKER_PULL_TIMEOUT_S: 'soon' })).toThrow(
      /RECSYS_DOCKER_PULL_TIMEOUT_S must be an integer/,
    );
  });
});
