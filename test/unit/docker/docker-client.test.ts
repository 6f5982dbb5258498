import { describe, expect, it } from 'vitest';
import {
  DEFAULT_DOCKER_HOST,
  dockerOptions,
  resolveDockerHost,
} from '../../../src/docker/docker-client.js';

describe('resolveDockerHost', () => {
  it('prefers the configured host, then DOCKER_HOST, then the default socket', () => {
    expect(resolveDockerHost('tcp://a:2375', { DOCKER_HOST: 'unix:///b.sock' })).toBe(
      'tcp://a:2375',
    );
    expect(resolveDockerHost(undefined, { DOCKER_HOST: 'unix:///b.sock' })).toBe('unix:///b.sock');
    expect(resolveDockerHost(undefined, {})).toBe(DEFAULT_DOCKER_HOST);
  });
});

describe('dockerOptions', () => {
  it.each([
    ['unix:///var/run/docker.sock', { socketPath: '/var/run/docker.sock', timeout: 5000 }],
    ['/run/podman/podman.sock', { socketPath: '/run/podman/podman.sock', timeout: 5000 }],
    ['tcp://10.0.0.2:2375', { protocol: 'http', host: '10.0.0.2', port: 2375, timeout: 5000 }],
    ['tcp://docker-host', { protocol: 'http', host: 'docker-host', port: 2375, timeout: 5000 }],
    [
      'https://docker-host:2376',
      { protocol: 'https', host: 'docker-host', port: 2376, timeout: 5000 },
    ],
  ])('reads %s', (host, options) => {
    expect(dockerOptions(host, 5000)).toEqual(options);
  });
});
