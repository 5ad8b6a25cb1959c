import { closestName } from '../shared/closest.js';
import type { Diagnostic } from '../shared/diagnostics.js';
import type { RepoConfig, WorkPackage } from './config-types.js';
import { diagnosticAt, encodePointer, type ParsedYaml, parseYaml } from './parse-yaml.js';
import { mapSchemaErrors, type SchemaName, type SchemaValidators } from './schema.js';
import { checkManifestSemantics, type ManifestContext, requestIdFromPath } from './semantics.js';
import type { Manifest } from './types.js';
import type { YamlLimits } from './yaml-limits.js';

export interface ParsedFile<T> {
  /** Present only when the file is free of syntax and schema errors. */
  value?: T;
  parsed: ParsedYaml;
  diagnostics: Diagnostic[];
}

/** YAML → schema-checked value; `file` is the repository-relative path used in diagnostics. */
export function parseSchemaFile<T>(
  text: string,
  file: string,
  schema: SchemaName,
  validators: SchemaValidators,
  limits?: YamlLimits,
): ParsedFile<T> {
  const parsed = parseYaml(text, file, limits);
  if (parsed.diagnostics.length > 0) return { parsed, diagnostics: parsed.diagnostics.slice() };
  if (parsed.value === null || parsed.value === undefined) {
    return {
      parsed,
      diagnostics: [
        {
          file,
          line: 0,
          column: 0,
          pointer: '',
          code: 'empty-file',
          severity: 'error',
          message: 'the file is empty.',
        },
      ],
    };
  }
  const diagnostics = mapSchemaErrors(parsed, validators.validate(schema, parsed.value));
  return diagnostics.length > 0 ? { parsed, diagnostics } : { value: parsed.value as T, parsed, diagnostics };
}

/** Parses, validates and checks a request manifest; never throws for bad input. */
export function parseManifest(
  text: string,
  file: string,
  validators: SchemaValidators,
  context: ManifestContext,
  limits?: YamlLimits,
): ParsedFile<Manifest> {
  const result = parseSchemaFile<Manifest>(text, file, 'manifest', validators, limits);
  if (!result.value) return result;
  const diagnostics = checkManifestSemantics(result.parsed, result.value, context);
  return { ...result, diagnostics };
}

export function parseConfig(
  text: string,
  file: string,
  validators: SchemaValidators,
): ParsedFile<RepoConfig> {
  const result = parseSchemaFile<RepoConfig>(text, file, 'config', validators);
  if (result.value) {
    const root = result.value.outputsRoot;
    if (root.startsWith('/') || root.split('/').includes('..')) {
      result.diagnostics.push(
        diagnosticAt(
          result.parsed,
          '/outputsRoot',
          'unsafe-path',
          `outputsRoot '${root}' must be a path inside the repository, relative to its root.`,
        ),
      );
    }
  }
  return result;
}

/** The roles a policy names: work packages may use these only. */
export interface PolicyRoles {
  /** The policy's name, for messages. */
  policy: string;
  /** Classifying role ids, in the policy's order. */
  classifying: readonly string[];
  /** The releasing role (Turing: system-manager); its holder may also classify. */
  releasing: string;
}

/**
 * Work package file, checked against its name, the configured destinations and keys, and (when
 * the policy is known) the policy's role names.
 */
export function parseWorkPackage(
  text: string,
  file: string,
  validators: SchemaValidators,
  context: { config?: RepoConfig; keyFiles: ReadonlySet<string>; roles?: PolicyRoles },
): ParsedFile<WorkPackage> {
  const result = parseSchemaFile<WorkPackage>(text, file, 'work-package', validators);
  const wp = result.value;
  if (!wp) return result;
  const at = (pointer: string, code: string, message: string) =>
    result.diagnostics.push(diagnosticAt(result.parsed, pointer, code, message));
  const expected = requestIdFromPath(file);
  if (wp.id !== expected) {
    at('/id', 'id-mismatch', `id '${wp.id}' differs from the file name '${expected}'; rename one of them.`);
  }
  if (context.config) {
    const configured = Object.keys(context.config.destinations);
    wp.destinations.forEach((name, i) => {
      if (!configured.includes(name)) {
        at(
          `/destinations/${i}`,
          'unknown-destination',
          `destination '${name}' is not configured in .egress/config.yaml (configured: ${configured.join(', ')}).`,
        );
      }
    });
  }
  wp.dataProvider.destinations.forEach((name, i) => {
    if (!wp.destinations.includes(name)) {
      at(
        `/dataProvider/destinations/${i}`,
        'destination-not-allowed',
        `the data provider's destination '${name}' is not among this work package's destinations (${wp.destinations.join(', ')}).`,
      );
    }
  });
  const checkKeys = (list: string[], pointer: string) =>
    list.forEach((name, i) => {
      if (!context.keyFiles.has(name)) {
        at(`${pointer}/${i}`, 'unknown-key', `key file '${name}' is not in .egress/keys/.`);
      }
    });
  checkKeys(wp.dataProvider.keys, '/dataProvider/keys');
  checkKeys(wp.recipients, '/recipients');
  const roles = context.roles;
  if (roles) {
    const known = [...roles.classifying, roles.releasing];
    const unknown = (name: string) => {
      const near = closestName(name, known);
      return `the policy '${roles.policy}' has no role '${name}'${near ? `; did you mean '${near}'?` : ''} Its roles: ${known.join(', ')}.`;
    };
    for (const role of Object.keys(wp.roles)) {
      if (!known.includes(role)) {
        result.diagnostics.push(
          diagnosticAt(result.parsed, `/roles/${encodeSegment(role)}`, 'unknown-field', unknown(role), {
            key: true,
          }),
        );
      }
    }
    wp.preApproved?.forEach((form, f) => {
      form.roles?.forEach((role, r) => {
        if (!known.includes(role)) at(`/preApproved/${f}/roles/${r}`, 'unknown-field', unknown(role));
      });
    });
  }
  // One person cannot classify in two roles. Logins are compared as the forges do, ignoring case;
  // the releasing role may be held with one classifying role.
  const releasing = roles?.releasing ?? 'system-manager';
  const holders = new Map<string, string>();
  for (const [role, users] of Object.entries(wp.roles)) {
    if (role === releasing) continue;
    users.forEach((user, i) => {
      const key = user.toLowerCase();
      const other = holders.get(key);
      if (other !== undefined) {
        at(
          `/roles/${encodeSegment(role)}/${i}`,
          'role-conflict',
          `'${user}' already holds role '${other}'; one person cannot classify in two roles.`,
        );
      } else {
        holders.set(key, role);
      }
    });
  }
  return result;
}

function encodeSegment(segment: string): string {
  return encodePointer([segment]).slice(1);
}
