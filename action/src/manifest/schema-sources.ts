/**
 * The JSON Schemas egress-gate validates against, and the one ajv configuration they are compiled
 * with. Read by `compiled-schemas.ts` at run time (tests, `tsx`), and by scripts/build.mjs, which
 * compiles them ahead of time into the bundle (ajv's standalone code) so no command pays ajv's
 * compiler at start-up.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import configSchema from '../../../schemas/config.schema.json' with { type: 'json' };
import manifestSchema from '../../../schemas/manifest.schema.json' with { type: 'json' };
import policySchema from '../../../schemas/policy.schema.json' with { type: 'json' };
import receiptSchema from '../../../schemas/receipt.schema.json' with { type: 'json' };
import reviewsFileSchema from '../../../schemas/reviews-file.schema.json' with { type: 'json' };
import workPackageSchema from '../../../schemas/work-package.schema.json' with { type: 'json' };
import type { SchemaName } from './compiled-schemas.js';

export const schemaSources: Record<SchemaName, object> = {
  manifest: manifestSchema,
  config: configSchema,
  'work-package': workPackageSchema,
  receipt: receiptSchema,
  policy: policySchema,
  'reviews-file': reviewsFileSchema,
};

// ajv-formats is CommonJS with a default export; under NodeNext its namespace arrives here.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
  addFormatsModule) as unknown as (ajv: Ajv2020) => Ajv2020;

/**
 * `verbose` keeps each error's schema, so messages can list the allowed fields. `code.source`
 * (for the build) makes ajv keep the generated code, which `standaloneCode` then writes out.
 */
export function createSchemaAjv(options: { source?: boolean } = {}): Ajv2020 {
  const ajv = new Ajv2020({
    allErrors: true,
    strict: true,
    allowUnionTypes: true,
    verbose: true,
    ...(options.source ? { code: { source: true, esm: true } } : {}),
  });
  addFormats(ajv);
  return ajv;
}
