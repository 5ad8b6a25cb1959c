// Bundles the two entries into committed, self-contained files: the action runner has no npm install.
import { build } from 'esbuild';
import { buildCli, bundleOptions } from './bundle.mjs';

await build({ ...bundleOptions, entryPoints: { index: 'action/src/action/main.ts' }, outdir: 'dist' });
// The CLI: dist/cli.js and its chunks under dist/cli-chunks/ (loaded per command).
await buildCli('dist', { banner: { js: `#!/usr/bin/env node\n${bundleOptions.banner.js}` } });
