import { expect, test } from 'vitest';
import { classifyChanges, isTrustedPath } from '../../action/src/app/classify-changes.js';
import type { ChangedFile } from '../../action/src/forge/forge.js';

test.each([
  ['.egress/config.yaml', true],
  ['.egress/work-packages/wp1.yaml', true],
  ['.egress/keys/provider.asc', true],
  ['.github/workflows/egress-review.yml', true],
  ['.gitea/workflows/egress-review.yml', true],
  ['.forgejo/workflows/x.yml', true],
  ['CODEOWNERS', true],
  ['.github/CODEOWNERS', true],
  ['docs/CODEOWNERS', true],
  ['policies/ours.yaml', true],
  ['.egress-notes.md', false],
  ['requests/r1.yaml', false],
  ['outputs/.egress/config.yaml', false],
  ['.github/dependabot.yml', false],
])('%s trusted: %s', (path, trusted) => {
  expect(isTrustedPath(path, '.egress', 'policies/ours.yaml')).toBe(trusted);
});

test('a custom config-dir is what is trusted', () => {
  expect(isTrustedPath('tre/config/config.yaml', 'tre/config/')).toBe(true);
  expect(isTrustedPath('.egress/config.yaml', 'tre/config')).toBe(false);
});

test('requests are one level under requests/, and both names of a rename count', () => {
  const files: ChangedFile[] = [
    { path: 'requests/new.yaml', status: 'renamed', previousPath: 'requests/old.yaml' },
    { path: 'requests/notes/readme.md', status: 'added' },
    { path: 'requests/sub/deep.yaml', status: 'added' },
    { path: '.egress/keys/k.asc', status: 'removed' },
  ];
  expect(classifyChanges(files, '.egress')).toEqual({
    requests: ['requests/new.yaml', 'requests/old.yaml'],
    trusted: ['.egress/keys/k.asc'],
  });
});
