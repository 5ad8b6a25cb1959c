import { closestName } from '../shared/closest.js';
import type { Diagnostic } from '../shared/diagnostics.js';
import type { RepoConfig, WorkPackage } from './config-types.js';
import { describeUnsafeItemPath } from './item-path.js';
import { diagnosticAt, type ParsedYaml } from './parse-yaml.js';
import type { Manifest } from './types.js';

/** What a manifest is checked against: the trusted configuration (from the base commit). */
export interface ManifestContext {
  /** Absent when the configuration itself is broken; destination checks are then skipped. */
  config?: RepoConfig;
  workPackages: ReadonlyMap<string, WorkPackage>;
  /** The policy's role ids, when the policy is known: discussion attendees must name one. */
  roles?: readonly string[];
}

/** `requests/dsg-2026-03.yaml` → `dsg-2026-03`. */
export function requestIdFromPath(path: string): string {
  const base = path.split('/').pop() ?? path;
  return base.replace(/\.ya?ml$/, '');
}

/** Checks a schema-valid manifest against its file name and the configuration. */
export function checkManifestSemantics(
  parsed: ParsedYaml,
  manifest: Manifest,
  context: ManifestContext,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const expectedId = requestIdFromPath(parsed.file);
  if (manifest.id !== expectedId) {
    out.push(
      diagnosticAt(
        parsed,
        '/id',
        'id-mismatch',
        `id '${manifest.id}' differs from the file name '${expectedId}'; rename the file or set id: ${expectedId}.`,
      ),
    );
  }
  const workPackage = context.workPackages.get(manifest.workPackage);
  if (!workPackage) {
    const known = [...context.workPackages.keys()].sort().join(', ') || 'none';
    out.push(
      diagnosticAt(
        parsed,
        '/workPackage',
        'unknown-work-package',
        `work package '${manifest.workPackage}' is not in .egress/work-packages/ (known: ${known}).`,
      ),
    );
  }
  const names = new Map<string, number>();
  manifest.collections.forEach((collection, c) => {
    const at = `/collections/${c}`;
    const first = names.get(collection.name);
    if (first !== undefined) {
      out.push(
        diagnosticAt(
          parsed,
          `${at}/name`,
          'duplicate-collection',
          `collection name '${collection.name}' is already used by collection ${first + 1}; names must be unique.`,
        ),
      );
    } else {
      names.set(collection.name, c);
    }
    for (const d of checkDestination(parsed, at, collection.destination, context.config, workPackage))
      out.push(d);
    if (collection.preApproval !== undefined && workPackage) {
      const forms = workPackage.preApproved ?? [];
      if (!forms.some((f) => f.id === collection.preApproval)) {
        out.push(
          diagnosticAt(
            parsed,
            `${at}/preApproval`,
            'unknown-pre-approval',
            `pre-approval '${collection.preApproval}' is not a pre-approved form of work package '${workPackage.id}' (known: ${forms.map((f) => f.id).join(', ') || 'none'}).`,
          ),
        );
      }
    }
    const paths = new Map<string, number>();
    collection.items.forEach((item, i) => {
      const unsafe = describeUnsafeItemPath(item.path);
      if (unsafe) out.push(diagnosticAt(parsed, `${at}/items/${i}/path`, 'unsafe-path', `${unsafe}.`));
      const key = item.path.replace(/\/+$/, '');
      const previous = paths.get(key);
      if (previous !== undefined) {
        out.push(
          diagnosticAt(
            parsed,
            `${at}/items/${i}/path`,
            'duplicate-item',
            `item '${item.path}' is already listed as item ${previous + 1} of collection '${collection.name}'.`,
          ),
        );
      } else {
        paths.set(key, i);
      }
      if (item.listing) {
        const listing = item.listing;
        const expected = `requests/${manifest.id}/`;
        if (item.sha256 !== undefined || item.size !== undefined) {
          out.push(
            diagnosticAt(
              parsed,
              `${at}/items/${i}/${item.sha256 !== undefined ? 'sha256' : 'size'}`,
              'conflicting-pins',
              `'${item.path}' has a listing, which pins its files; remove its own sha256/size (or run 'egress-gate lock').`,
            ),
          );
        }
        const unsafe = describeUnsafeItemPath(listing.file);
        if (unsafe || !listing.file.startsWith(expected)) {
          out.push(
            diagnosticAt(
              parsed,
              `${at}/items/${i}/listing/file`,
              'unsafe-path',
              unsafe
                ? `${unsafe}.`
                : `the listing '${listing.file}' must lie under ${expected}, beside this request; run 'egress-gate lock' to write it there.`,
            ),
          );
        }
      }
    });
    if (collection.generation?.script.listing) {
      out.push(
        diagnosticAt(
          parsed,
          `${at}/generation/script/listing`,
          'invalid-value',
          'the generation script is one file; it has a sha256/size pin, not a listing.',
        ),
      );
    }
    if (collection.generation) {
      const unsafe = describeUnsafeItemPath(collection.generation.script.path);
      if (unsafe) out.push(diagnosticAt(parsed, `${at}/generation/script/path`, 'unsafe-path', `${unsafe}.`));
    }
    collection.provenance?.code.forEach((path, i) => {
      const unsafe = describeUnsafeItemPath(path);
      if (unsafe) out.push(diagnosticAt(parsed, `${at}/provenance/code/${i}`, 'unsafe-path', `${unsafe}.`));
    });
    // A treatment names an item, a file inside a directory item (before or after 'lock' lists
    // it), or a folder whose items it covers.
    const itemPaths = [...paths.keys()];
    const roles = context.roles;
    collection.discussion?.attendees.forEach((attendee, i) => {
      if (roles && !roles.includes(attendee.role)) {
        const near = closestName(attendee.role, roles);
        out.push(
          diagnosticAt(
            parsed,
            `${at}/discussion/attendees/${i}/role`,
            'invalid-value',
            `'${attendee.role}' is not a role of the policy${near ? `; did you mean '${near}'?` : ''} Its roles: ${roles.join(', ')}.`,
          ),
        );
      }
    });
    collection.discussion?.treatments?.forEach((treatment, i) => {
      const path = treatment.path.replace(/\/+$/, '');
      const covered =
        paths.has(path) ||
        itemPaths.some((item) => path.startsWith(`${item}/`) || item.startsWith(`${path}/`));
      if (!covered) {
        out.push(
          diagnosticAt(
            parsed,
            `${at}/discussion/treatments/${i}/path`,
            'unknown-item',
            `treatment for '${treatment.path}', which is neither an item of collection '${collection.name}' nor inside one.`,
          ),
        );
      }
    });
  });
  return out;
}

function checkDestination(
  parsed: ParsedYaml,
  at: string,
  destination: string,
  config: RepoConfig | undefined,
  workPackage: WorkPackage | undefined,
): Diagnostic[] {
  if (!config) return [];
  if (!Object.hasOwn(config.destinations, destination)) {
    const known = Object.keys(config.destinations).sort().join(', ');
    const hint = /mail/i.test(destination) ? ' Email is never a destination.' : '';
    return [
      diagnosticAt(
        parsed,
        `${at}/destination`,
        'unknown-destination',
        `destination '${destination}' is not configured in .egress/config.yaml (configured: ${known}).${hint}`,
      ),
    ];
  }
  if (workPackage && !workPackage.destinations.includes(destination)) {
    return [
      diagnosticAt(
        parsed,
        `${at}/destination`,
        'destination-not-allowed',
        `work package '${workPackage.id}' may not use destination '${destination}' (allowed: ${workPackage.destinations.join(', ')}).`,
      ),
    ];
  }
  return [];
}
