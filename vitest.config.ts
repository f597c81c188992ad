import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup/registrations.ts'],
    // End-to-end tests spawn real processes and worker threads on a shared 2-core machine:
    // the default 5 s is a speed assertion in disguise. Speed is measured by `npm run bench`.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
