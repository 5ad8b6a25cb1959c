/**
 * Restrictions on collections at or above the policy's sensitive tier (Turing: tier 2): a treatment
 * decided for every item, removed items left out, release only to the original data provider (or
 * under a stated legal basis), the provider's written notification, and encryption to its keys.
 */
import type { Collection } from '../manifest/types.js';
import type { PolicyFacts } from './types.js';
import { listWords } from './wording.js';

export interface SensitiveCheck {
  /** Each unmet requirement, in words. */
  problems: string[];
  /** Items whose treatment is `remove`. */
  excludedItems: string[];
}

export function checkSensitive(collection: Collection, tier: number, facts: PolicyFacts): SensitiveCheck {
  const { policy, workPackage } = facts;
  const rules = policy.sensitive;
  const problems: string[] = [];
  const treatments = collection.discussion?.treatments ?? [];
  const itemPaths = new Set(collection.items.map((i) => i.path));
  const at = `tier ${tier} (at or above ${rules.fromTier})`;

  for (const t of treatments) {
    if (!itemPaths.has(t.path)) {
      problems.push(
        `the discussion decides a treatment for '${t.path}', which is not an item of this collection`,
      );
    } else if (!rules.treatments.includes(t.treatment)) {
      problems.push(
        `treatment '${t.treatment}' for '${t.path}' is not allowed by the policy (allowed: ${rules.treatments.join(', ')})`,
      );
    }
  }
  if (rules.requireTreatmentPerItem) {
    const treated = new Set(treatments.map((t) => t.path));
    const untreated = collection.items.map((i) => i.path).filter((p) => !treated.has(p));
    if (untreated.length > 0) {
      problems.push(
        `at ${at} every item needs a treatment (${rules.treatments.join(', ')}) in the discussion record; none for ${listWords(untreated.map((p) => `'${p}'`))}`,
      );
    }
  }
  const excludedItems = treatments
    .filter((t) => t.treatment === 'remove' && itemPaths.has(t.path))
    .map((t) => t.path);

  const notification = collection.providerNotification;
  const legalBasis = notification?.legalBasis?.trim();
  if (rules.requireOriginalProvider && !legalBasis) {
    const reaching = workPackage.dataProvider.destinations;
    if (!reaching.includes(collection.destination)) {
      problems.push(
        `at ${at} the destination must reach the original data provider ${workPackage.dataProvider.name} (${reaching.join(', ') || 'none configured'}), not '${collection.destination}', unless providerNotification states a legalBasis`,
      );
    }
  }
  if (rules.requireProviderNotification) {
    const recorded = legalBasis || (notification?.reference?.trim() && notification.date?.trim());
    if (!recorded) {
      problems.push(
        `at ${at} the data provider's written notification must be recorded (providerNotification.reference and .date), or the legal basis for release`,
      );
    }
  }
  if (rules.encryptToProviderOnly && workPackage.dataProvider.keys.length === 0) {
    problems.push(
      `at ${at} the package must be encrypted to the data provider's public key, but work package ${workPackage.id} names none (dataProvider.keys)`,
    );
  }
  return { problems, excludedItems };
}
