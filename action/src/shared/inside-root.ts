import { isAbsolute, relative, sep } from 'node:path';

/** True when `candidate` (a real path) is `root` or lies below it; both must be resolved already. */
export function isInsideRoot(root: string, candidate: string): boolean {
  const rel = relative(root, candidate);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}
