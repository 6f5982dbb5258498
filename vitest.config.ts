import { defineConfig } from 'vitest/config';

// Five tiers. `unit` needs nothing but Node; `integration` starts the agent on an
// ephemeral port and lints its exposition with the real promtool; `services` needs
// real peers (podman's Docker API, Redis) started by test/support/; `e2e` runs the real
// Prometheus and Alertmanager around the agent; `image` builds and runs the Dockerfile
// and the compose file with podman (scripts/image-standins.sh).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          testTimeout: 10_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'services',
          include: ['test/services/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          pool: 'forks',
          poolOptions: { forks: { singleFork: true } },
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 300_000,
          hookTimeout: 300_000,
          pool: 'forks',
          poolOptions: { forks: { singleFork: true } },
        },
      },
      {
        // The real Dockerfile built by podman on local stand-in base images, the container
        // run, and the shipped docker-compose.yml run against podman's Docker API.
        test: {
          name: 'image',
          include: ['test/image/**/*.test.ts'],
          testTimeout: 600_000,
          hookTimeout: 1_500_000,
          pool: 'forks',
          poolOptions: { forks: { singleFork: true } },
        },
      },
    ],
  },
});
