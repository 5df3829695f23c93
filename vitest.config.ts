import { defineConfig } from 'vitest/config';
import { WxtVitest } from 'wxt/testing/vitest-plugin';

/**
 * Four projects, one report:
 * - unit: pure logic in shared/, relay/ and extension/ (no network, no browser)
 * - integration: the relay against a real SMTP server on loopback
 * - postgres: relay tests again with the store in a real PostgreSQL server, and several relays on one database
 * - e2e: the built extension in Debian's Chromium; one file at a time because
 *   managed-policy tests write a machine-wide policy file.
 */
export default defineConfig({
  test: {
    // Vitest's default is one worker per CPU but one; most of these tests wait on sockets, timers and
    // browsers rather than compute, so on a 2-core CI machine three files at a time halve the run.
    maxWorkers: 3,
    projects: [
      {
        plugins: [WxtVitest()],
        test: {
          name: 'unit',
          include: ['shared/**/*.test.ts', 'relay/**/*.test.ts', 'extension/**/*.test.{ts,tsx}', 'bench/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        // The relay's store on PostgreSQL (DATABASE_URL): the same API, delivery, pacing and recovery tests
        // as on SQLite, each relay with its own database on one server per run, plus the multi-relay tests.
        test: {
          name: 'postgres',
          include: [
            'test/integration/relay-api.test.ts',
            'test/integration/relay-authz.test.ts',
            'test/integration/relay-bad-input.test.ts',
            'test/integration/faults-bad-input.test.ts',
            'test/integration/relay-send.test.ts',
            'test/integration/relay-pacing.test.ts',
            'test/integration/relay-retry.test.ts',
            'test/integration/relay-faults.test.ts',
            'test/integration/o365-oauth.test.ts',
            'test/integration/unsubscribe.test.ts',
            'test/integration/observability.test.ts',
            'test/postgres/**/*.test.ts',
          ],
          globalSetup: ['test/helpers/postgres-setup.ts'],
          // Only this project's relays use the server (its URL reaches every project's workers through the environment).
          env: { SENDWAY_TEST_STORE: 'postgres' },
          testTimeout: 90_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 90_000,
          hookTimeout: 90_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
