/**
 * Read-only view of an egress repository at one commit. The CLI reads the working tree; the
 * action reads trusted configuration through the forge's contents API at the base commit.
 */
export interface RepoFiles {
  /** A description for messages, e.g. "working tree /srv/egress" or "base commit 1a2b3c4". */
  readonly label: string;
  /** UTF-8 text of a file (POSIX path relative to the repository root), or undefined if absent. */
  readText(path: string): Promise<string | undefined>;
  /** Names of the files directly in a directory (not recursive); empty if absent. */
  listFiles(dir: string): Promise<string[]>;
}
