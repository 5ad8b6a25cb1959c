/**
 * Validation functions for the shipped JSON Schemas, by name. Here they are compiled by ajv when
 * first asked for; in the bundle, scripts/build.mjs replaces this module by the same functions
 * compiled ahead of time (ajv standalone code), which saves ajv's compiler at every start. Both
 * return ajv `ValidateFunction`s: errors are left on `validate.errors` after a failed call.
 */
import type { ValidateFunction } from 'ajv/dist/2020.js';
import { createSchemaAjv, schemaSources } from './schema-sources.js';

export type SchemaName = 'manifest' | 'config' | 'work-package' | 'receipt' | 'policy' | 'reviews-file';

export type SchemaFunctions = (name: SchemaName) => ValidateFunction;

/** A lookup that compiles each schema once, on first use (no module-level state). */
export function loadSchemaFunctions(): SchemaFunctions {
  const ajv = createSchemaAjv();
  const compiled = new Map<SchemaName, ValidateFunction>();
  return (name) => {
    let fn = compiled.get(name);
    if (!fn) {
      fn = ajv.compile(schemaSources[name]);
      compiled.set(name, fn);
    }
    return fn;
  };
}
