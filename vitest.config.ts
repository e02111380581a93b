import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration tests share pcscd's two virtual readers: they must not run side by side.
    fileParallelism: false,
    reporters: ['default'],
  },
});
