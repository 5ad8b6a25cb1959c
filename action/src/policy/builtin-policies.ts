/** Policies shipped inside the bundle, by name (`policy: turing-dsh` in `.egress/config.yaml`). */
import turingDsh from '../../../policies/turing-dsh.yaml';

const builtins: Readonly<Record<string, string>> = { 'turing-dsh': turingDsh };

export const builtinPolicyNames: readonly string[] = Object.keys(builtins);

/** YAML text of a built-in policy, or undefined when `name` is not one. */
export function getBuiltinPolicyText(name: string): string | undefined {
  return Object.hasOwn(builtins, name) ? builtins[name] : undefined;
}
