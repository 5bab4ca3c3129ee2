import { defineConfig } from 'vitest/config';

// Tiers by file suffix: unit tests need nothing running; int and e2e need `pnpm stack up`.
export default defineConfig({
  test: {
    projects: [
      { extends: true, test: { name: 'unit', include: ['**/*.unit.spec.ts'] } },
      {
        extends: true,
        test: {
          name: 'int',
          include: ['**/*.int.spec.ts'],
          setupFiles: ['packages/testkit/src/setup-stack-env.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['**/*.e2e.spec.ts'],
          setupFiles: ['packages/testkit/src/setup-stack-env.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
        },
      },
    ],
    exclude: ['**/node_modules/**', '**/dist/**', '.stack/**'],
  },
});
