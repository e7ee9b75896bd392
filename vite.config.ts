import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

const API = `http://127.0.0.1:${process.env.API_PORT ?? 3000}`;

export default defineConfig({
  root: 'web',
  plugins: [svelte()],
  // Web component tests (`// @vitest-environment happy-dom`) run in Vite's client environment:
  // resolve Svelte's browser build there. Node tests use the ssr environment and are unaffected.
  ...(process.env.VITEST ? { environments: { client: { resolve: { conditions: ['browser', 'module', 'development'] } } } } : {}),
  build: { outDir: 'dist', emptyOutDir: true },
  server: {
    proxy: {
      '/api': API,
      '/healthz': API,
      '/readyz': API,
      '/metrics': API,
      '/socket.io': { target: API, ws: true },
    },
  },
  test: {
    root: '.',
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/setup/global.ts'],
    reporters: ['default', './test/setup/summary-reporter.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
  },
});
