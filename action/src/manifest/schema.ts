import type { ErrorObject } from 'ajv/dist/2020.js';
import type { Diagnostic } from '../shared/diagnostics.js';
import { loadSchemaFunctions } from './compiled-schemas.js';
import { diagnosticAt, encodePointer, type ParsedYaml, splitPointer } from './parse-yaml.js';

export type SchemaName = 'manifest' | 'config' | 'work-package' | 'receipt';

/** The seed's rule, quoted wherever an email destination is refused. */
export const emailRule = 'Under no circumstance should sensitive data be sent via email, even if encrypted.';

export interface SchemaValidators {
  validate(name: SchemaName, value: unknown): ErrorObject[];
}

/**
 * The four schemas of the repository's files, each compiled once when first used (precompiled in
 * the bundle, see compiled-schemas.ts); callers keep the returned object.
 */
export function createSchemaValidators(): SchemaValidators {
  const functions = loadSchemaFunctions();
  return {
    validate(name, value) {
      const fn = functions(name);
      return fn(value) ? [] : [...(fn.errors ?? [])];
    },
  };
}

function quote(value: unknown): string {
  const text = typeof value === 'string' ? `'${value}'` : JSON.stringify(value);
  if (text === undefined) return String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function valueAt(root: unknown, pointer: string): unknown {
  let node = root;
  for (const segment of splitPointer(pointer)) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[segment];
  }
  return node;
}

function fieldName(pointer: string): string {
  const segments = splitPointer(pointer);
  return segments.length === 0 ? 'the document' : `'${segments.join('.')}'`;
}

/** ajv errors → located diagnostics; one per problem, in words a researcher understands. */
export function mapSchemaErrors(
  parsed: ParsedYaml,
  errors: readonly ErrorObject[],
  /** Where the schema ships, named when a message cannot list what is allowed. */
  schemaPath = 'the schema',
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  const emailAt = new Set(
    errors
      .filter(
        (e) =>
          e.keyword === 'not' &&
          e.instancePath.endsWith('/kind') &&
          valueAt(parsed.value, e.instancePath) === 'email',
      )
      .map((e) => e.instancePath),
  );
  const add = (d: Diagnostic) => {
    const key = `${d.pointer}|${d.code}|${d.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(d);
    }
  };
  for (const error of errors) {
    const path = error.instancePath;
    const value = valueAt(parsed.value, path);
    const params = error.params as Record<string, unknown>;
    // `if`/`then` report the branch's errors already; the wrapper errors add nothing.
    if (error.keyword === 'if') continue;
    if (emailAt.has(path) || [...emailAt].some((p) => path === p.slice(0, -'/kind'.length))) {
      if (error.keyword === 'not') {
        add(
          diagnosticAt(
            parsed,
            path,
            'email-destination',
            `destination kind 'email' is refused: "${emailRule}" Use azure-blob, sftp or physical.`,
          ),
        );
      }
      continue;
    }
    switch (error.keyword) {
      case 'additionalProperties': {
        const extra = String(params['additionalProperty']);
        const pointer = path + encodePointer([extra]);
        add(
          diagnosticAt(
            parsed,
            pointer,
            'unknown-field',
            `unknown field '${extra}' in ${fieldName(path)}; allowed: ${allowedFields(error, schemaPath)}.`,
            { key: true },
          ),
        );
        break;
      }
      case 'required': {
        add(
          diagnosticAt(
            parsed,
            path,
            'missing-field',
            `${fieldName(path)} is missing the required field '${String(params['missingProperty'])}'.`,
          ),
        );
        break;
      }
      case 'type':
        add(
          diagnosticAt(
            parsed,
            path,
            'wrong-type',
            `${fieldName(path)} must be ${article(String(params['type']))}, not ${quote(value)}.`,
          ),
        );
        break;
      case 'propertyNames': {
        break; // reported through the `pattern` error on the name itself
      }
      default: {
        const propertyName = (error as { propertyName?: string }).propertyName ?? params['propertyName'];
        if (typeof propertyName === 'string') {
          const pointer = path + encodePointer([propertyName]);
          add(
            diagnosticAt(
              parsed,
              pointer,
              'invalid-value',
              `name ${quote(propertyName)} ${describe(error)}.`,
              { key: true },
            ),
          );
          break;
        }
        add(
          diagnosticAt(
            parsed,
            path,
            'invalid-value',
            `${fieldName(path)} is ${quote(value)}; ${describe(error)}.`,
          ),
        );
      }
    }
  }
  return out;
}

function article(type: string): string {
  const name = type === 'object' ? 'a mapping' : type === 'array' ? 'a list' : `a ${type}`;
  return name.replace('a integer', 'an integer');
}

function allowedFields(error: ErrorObject, schemaPath: string): string {
  const properties = (error.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties;
  return properties ? Object.keys(properties).join(', ') : `see ${schemaPath}`;
}

function describe(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'enum':
      return `allowed: ${(params['allowedValues'] as unknown[]).map((v) => quote(v)).join(', ')}`;
    case 'const':
      return `it must be ${quote(params['allowedValue'])}`;
    case 'pattern':
      return patternMeaning(String(params['pattern']));
    case 'format':
      return params['format'] === 'date'
        ? 'it must be a date YYYY-MM-DD'
        : `it must be a valid ${params['format']}`;
    case 'minLength':
      return 'it must not be empty';
    case 'maxLength':
      return `it must be at most ${params['limit']} characters`;
    case 'minimum':
      return `it must be at least ${params['limit']}`;
    case 'maximum':
      return `it must be at most ${params['limit']}`;
    case 'minItems':
      return `it needs at least ${params['limit']} entr${params['limit'] === 1 ? 'y' : 'ies'}`;
    case 'minProperties':
      return `it needs at least ${params['limit']} field${params['limit'] === 1 ? '' : 's'}`;
    case 'uniqueItems':
      return `entries ${params['j']} and ${params['i']} are the same; list each once`;
    default:
      return error.message ?? 'it does not match the schema';
  }
}

function patternMeaning(pattern: string): string {
  if (pattern === '^[a-z0-9][a-z0-9-]*$')
    return 'use lower-case letters, digits and hyphens (e.g. report-inputs)';
  if (pattern === '^[0-9a-f]{64}$') return 'a SHA-256 is 64 lower-case hex digits (run egress-gate lock)';
  if (pattern.startsWith('^SHA256:'))
    return "use OpenSSH's form SHA256:<base64>, as printed by ssh-keygen -lf";
  if (pattern.endsWith('\\.asc$')) return 'name a key file under .egress/keys/ ending in .asc';
  if (pattern.endsWith('\\.sha256$'))
    return 'a listing is written by egress-gate lock as requests/<id>/<collection>/<directory>.sha256';
  return `it must match ${pattern}`;
}
