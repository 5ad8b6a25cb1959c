/** The policy named by `.egress/config.yaml`: a built-in name, or a path relative to the repository root. */
import { builtinPolicyNames, getBuiltinPolicyText } from '../policy/builtin-policies.js';
import { parsePolicy } from '../policy/parse-policy.js';
import type { Policy } from '../policy/types.js';
import type { Diagnostic } from '../shared/diagnostics.js';
import type { RepoFiles } from '../shared/repo-files.js';

export interface LoadedPolicy {
  /** Present only when the policy was found and is valid. */
  policy?: Policy;
  diagnostics: Diagnostic[];
}

function problem(file: string, code: string, message: string): Diagnostic {
  return { file, line: 0, column: 0, pointer: '', code, severity: 'error', message };
}

/**
 * Built-in names win over files. In the action, `files` reads the base commit: a pull request
 * can never bring its own policy.
 */
export async function loadPolicy(name: string, files: RepoFiles): Promise<LoadedPolicy> {
  const builtin = getBuiltinPolicyText(name);
  if (builtin !== undefined) return parsePolicy(builtin, `policies/${name}.yaml (built-in)`);
  const looksLikePath = name.includes('/') || /\.ya?ml$/.test(name);
  if (!looksLikePath) {
    return {
      diagnostics: [
        problem(
          name,
          'unknown-policy',
          `'${name}' is not a built-in policy (built-in: ${builtinPolicyNames.join(', ')}) nor a path to a policy file; set 'policy' in the configuration to one of them, or to a path such as policies/my-policy.yaml.`,
        ),
      ],
    };
  }
  if (name.startsWith('/') || name.split('/').includes('..')) {
    return {
      diagnostics: [
        problem(
          name,
          'unsafe-path',
          `policy path '${name}' must be relative to the repository root, without '..'.`,
        ),
      ],
    };
  }
  const text = await files.readText(name);
  if (text === undefined) {
    return {
      diagnostics: [
        problem(
          name,
          'missing-policy',
          `the policy file '${name}' does not exist in ${files.label}; commit it on the base branch.`,
        ),
      ],
    };
  }
  return parsePolicy(text, name);
}
