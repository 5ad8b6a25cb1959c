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
  // ssh2's optional native add-ons (sshcrypto, cpu-features) are loaded in try/catch and fall back
  // to pure JavaScript; left external, they are simply absent from the self-contained bundle.
  external: ['*.node'],
  // Some CommonJS dependencies call require() or read __dirname (ssh2); ESM bundles need them provided.
  banner: {
    js: "import { createRequire as __cr } from 'node:module'; import { fileURLToPath as __fu } from 'node:url'; import { dirname as __dn } from 'node:path'; const require = __cr(import.meta.url); const __filename = __fu(import.meta.url); const __dirname = __dn(__filename);",
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
