import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    reporters: ['default'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts', 'test/chaos/**/*.test.ts'],
          globalSetup: ['test/support/globalSetup.ts'],
          // The files share one WordPress and one database: run them one after another.
          fileParallelism: false,
          // Real WooCommerce (npm run test:woo) writes an order about 20 times slower than the stand-in.
          testTimeout: process.env.CRM_BRIDGE_WOOCOMMERCE ? 300_000 : 60_000,
          hookTimeout: 240_000,
        },
      },
    ],
  },
});
