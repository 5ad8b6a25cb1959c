// Bundles the two entries into committed, self-contained files: the action runner has no npm install.
import { chmod } from 'node:fs/promises';
import { build } from 'esbuild';
import { bundleOptions } from './bundle.mjs';

await build({ ...bundleOptions, entryPoints: { index: 'action/src/action/main.ts' }, outdir: 'dist' });
await build({
  ...bundleOptions,
  entryPoints: { cli: 'action/src/cli/main.ts' },
  outdir: 'dist',
  banner: { js: `#!/usr/bin/env node\n${bundleOptions.banner.js}` },
});

// npm links `bin` entries to this file; it must be executable when run from a clone.
await chmod('dist/cli.js', 0o755);
