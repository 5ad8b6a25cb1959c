// Bundles the two entries into committed, self-contained files: the action runner has no npm install.
import { build } from 'esbuild';

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  legalComments: 'none',
  logLevel: 'warning',
  // Built-in policies ship inside the bundle: the demo and the action need no files beside it.
  loader: { '.yaml': 'text' },
  // ssh2's optional native add-ons (cpu-features, sshcrypto): loaded in try/catch, so outside the
  // bundle they are simply absent and ssh2 uses Node's own crypto.
  external: ['*.node'],
  // ssh2's agent module reads __dirname when loaded, which an ESM bundle does not have.
  define: { __dirname: 'import.meta.dirname' },
  // Some CommonJS dependencies call require(); ESM bundles need it provided.
  banner: {
    js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
  },
};

await build({ ...common, entryPoints: { index: 'action/src/action/main.ts' }, outdir: 'dist' });
await build({
  ...common,
  entryPoints: { cli: 'action/src/cli/main.ts' },
  outdir: 'dist',
  banner: { js: `#!/usr/bin/env node\n${common.banner.js}` },
});

// npm links `bin` entries to this file; it must be executable when run from a clone.
const { chmod } = await import('node:fs/promises');
await chmod('dist/cli.js', 0o755);
