/** Builders for the labelled corpus's tests: the Turing policy, and one request holding files. */
import type { Manifest, TableDeclaration } from '../../action/src/manifest/types.js';
import { getBuiltinPolicyText } from '../../action/src/policy/builtin-policies.js';
import { parsePolicy } from '../../action/src/policy/parse-policy.js';

export const turing = parsePolicy(getBuiltinPolicyText('turing-dsh')!, 'turing-dsh.yaml').policy!;

export function corpusManifest(
  files: string[],
  declarations: Record<string, TableDeclaration> = {},
): Manifest {
  return {
    id: 'corpus',
    workPackage: 'wp',
    title: 'corpus',
    purpose: 'test',
    requester: 'erin',
    collections: [
      {
        name: 'corpus',
        kind: 'other',
        description: 'the labelled corpus',
        destination: 'disk',
        items: files.map((path) => (declarations[path] ? { path, table: declarations[path] } : { path })),
      },
    ],
  };
}
