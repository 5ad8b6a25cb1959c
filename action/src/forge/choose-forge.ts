import { EgressError } from '../shared/errors.js';
import type { Forge, RepoRef } from './forge.js';
import { createGiteaForge } from './gitea/gitea-forge.js';
import { createGithubForge } from './github/github-forge.js';

export type ForgeChoice = 'auto' | 'github' | 'gitea' | 'forgejo';

export interface ForgeSettings {
  choice: ForgeChoice;
  apiUrl: string;
  token: string;
  repo: RepoRef;
  /** The runner's environment, for `auto` (GITEA_ACTIONS / FORGEJO_ACTIONS). */
  env: Record<string, string | undefined>;
  log?: (message: string) => void;
}

/** `auto`: Gitea Actions sets GITEA_ACTIONS=true, Forgejo Actions FORGEJO_ACTIONS=true; otherwise GitHub. */
export function resolveForgeKind(
  choice: ForgeChoice,
  env: Record<string, string | undefined>,
): 'github' | 'gitea' | 'forgejo' {
  if (choice !== 'auto') return choice;
  if (env['FORGEJO_ACTIONS'] === 'true') return 'forgejo';
  if (env['GITEA_ACTIONS'] === 'true') return 'gitea';
  return 'github';
}

export function chooseForge(settings: ForgeSettings): Forge {
  const kind = resolveForgeKind(settings.choice, settings.env);
  if (!settings.apiUrl) {
    throw new EgressError(
      'USAGE',
      'No forge API URL: GITHUB_API_URL is not set. Run inside GitHub or Gitea Actions.',
    );
  }
  if (kind === 'github') {
    return createGithubForge({
      apiUrl: settings.apiUrl,
      token: settings.token,
      repo: settings.repo,
      ...(settings.log ? { log: settings.log } : {}),
    });
  }
  return createGiteaForge({
    apiUrl: settings.apiUrl,
    token: settings.token,
    repo: settings.repo,
    flavour: kind === 'forgejo' ? 'forgejo' : 'gitea',
  });
}
