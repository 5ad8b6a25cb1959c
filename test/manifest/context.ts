import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import type { RepoConfig, WorkPackage } from '../../action/src/manifest/config-types.js';
import type { ManifestContext } from '../../action/src/manifest/semantics.js';

const examples = fileURLToPath(new URL('../../examples/', import.meta.url));

/** The example repository's configuration, plus a destination the work package may not use. */
export function buildExampleContext(): ManifestContext {
  const config = parse(readFileSync(`${examples}.egress/config.yaml`, 'utf8')) as RepoConfig;
  config.destinations['archive-disk'] = { kind: 'physical', path: '/mnt/archive' };
  const workPackage = parse(
    readFileSync(`${examples}.egress/work-packages/dsg-2026-03.yaml`, 'utf8'),
  ) as WorkPackage;
  return { config, workPackages: new Map([[workPackage.id, workPackage]]) };
}
