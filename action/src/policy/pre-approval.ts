/** Collections in a form agreed at the initial classification need fewer classifications. */
import type { PreApprovedForm } from '../manifest/config-types.js';
import type { Collection } from '../manifest/types.js';
import { matchGlob } from './glob.js';
import type { PolicyFacts } from './types.js';
import { listWords, roleTitle } from './wording.js';

export interface PreApprovalCheck {
  /** Roles whose classification is required for this collection, in the policy's order. */
  requiredRoles: string[];
  /** The form, when the collection refers to one that applies. */
  form?: PreApprovedForm;
  /** Why the pre-approval cannot be used, in words. */
  problems: string[];
  /** The decision, in words, when a form applies. */
  reasons: string[];
}

export function checkPreApproval(collection: Collection, facts: PolicyFacts): PreApprovalCheck {
  const { policy, workPackage } = facts;
  const allRoles = policy.classifyingRoles.map((r) => r.id);
  const full: PreApprovalCheck = { requiredRoles: allRoles, problems: [], reasons: [] };
  if (collection.preApproval === undefined) return full;

  const id = collection.preApproval;
  if (!policy.preApproval.allowed) {
    return {
      ...full,
      problems: [`pre-approved forms are not allowed by policy ${policy.name}; remove preApproval '${id}'`],
    };
  }
  const forms = workPackage.preApproved ?? [];
  const form = forms.find((f) => f.id === id);
  if (!form) {
    const known = forms.map((f) => f.id).join(', ') || 'none';
    return {
      ...full,
      problems: [
        `pre-approved form '${id}' is not defined in work package ${workPackage.id} (forms: ${known})`,
      ],
    };
  }
  const problems: string[] = [];
  const unmatched = collection.items
    .map((i) => i.path)
    .filter((p) => !form.patterns.some((g) => matchGlob(g, p)));
  if (unmatched.length > 0) {
    problems.push(
      `${listWords(unmatched.map((p) => `'${p}'`))} ${unmatched.length === 1 ? 'does' : 'do'} not match pre-approved form '${id}' (${form.patterns.join(', ')}): every item must match it`,
    );
  }
  const named = form.roles ?? policy.preApproval.defaultRoles;
  const unknown = named.filter((r) => !allRoles.includes(r));
  if (unknown.length > 0) {
    problems.push(
      `pre-approved form '${id}' names roles that do not classify under policy ${policy.name}: ${unknown.join(', ')}`,
    );
  }
  const requiredRoles = allRoles.filter((r) => named.includes(r));
  if (problems.length > 0) return { ...full, form, problems };
  return {
    requiredRoles,
    form,
    problems,
    reasons: [
      `pre-approved form '${id}' (up to tier ${form.tier}): every item matches; only ${listWords(requiredRoles.map((r) => roleTitle(policy, r)))} must classify`,
    ],
  };
}
