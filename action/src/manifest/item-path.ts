/** Relative segments of no control character, backslash, `.` or `..`; an optional final slash. */
const plainlySafe =
  /^(?![A-Za-z]:|~)(?:(?!\.\.?(?:\/|$))[^/\\\u0000-\u001f\u007f]+\/)*(?!\.\.?(?:\/|$))[^/\\\u0000-\u001f\u007f]+\/?$/;

/**
 * Item paths are POSIX paths relative to the outputs root. Checked here without touching the
 * disk; pack/outputs.ts adds the symlink check against the real root.
 */
export function describeUnsafeItemPath(path: string): string | undefined {
  // Most paths are plainly safe: one expression says so (a request can name 100,000 files, each
  // checked several times); anything it does not match gets the checks below, and their words.
  if (plainlySafe.test(path)) return undefined;
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path) || path.startsWith('~')) {
    return `'${path}' is absolute; item paths are relative to the outputs root (e.g. figures/fig-1.png)`;
  }
  if (path.includes('\\')) return `'${path}' contains a backslash; write POSIX paths with '/'`;
  // A newline would split the path in SHA256SUMS and in tar listings; no control character is a real file name.
  if (/[\u0000-\u001f\u007f]/.test(path)) {
    return `${JSON.stringify(path)} contains a control character (a newline, tab or similar); rename the file`;
  }
  const segments = path.split('/');
  if (segments.includes('..')) return `'${path}' has a '..' segment; items must stay inside the outputs root`;
  const trimmed = path.endsWith('/') ? segments.slice(0, -1) : segments;
  if (trimmed.some((s) => s === '' || s === '.')) {
    return `'${path}' has an empty or '.' segment; write it as '${normaliseItemPath(path)}'`;
  }
  return undefined;
}

/** Drops `.` and empty segments and a trailing slash (only used to suggest a fix). */
export function normaliseItemPath(path: string): string {
  return path
    .split('/')
    .filter((s) => s !== '' && s !== '.')
    .join('/');
}
