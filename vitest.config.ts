import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Same as the bundler's `.yaml: text` loader, so tests import built-in policies the way the bundle does.
  plugins: [
    {
      name: 'yaml-as-text',
      transform(code, id) {
        if (id.endsWith('.yaml')) return { code: `export default ${JSON.stringify(code)};`, map: null };
        return undefined;
      },
    },
  ],
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
