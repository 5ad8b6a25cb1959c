#!/usr/bin/env node
import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  checkBlockingFindings
} from "./chunk-GA5RL33M.js";
import {
  diagnosticAt,
  findNode,
  loadSchemaFunctions,
  mapSchemaErrors,
  parseYaml
} from "./chunk-MFV4Z2EZ.js";

// action/src/policy/wording.ts
function formatUser(user) {
  return `@${user}`;
}
function shortSha(sha) {
  return sha.length > 7 ? sha.slice(0, 7) : sha;
}
function sameUser(a, b) {
  return a.toLowerCase() === b.toLowerCase();
}
function sameCommit(a, b) {
  const x = a.trim().toLowerCase();
  const y = b.trim().toLowerCase();
  if (x.length < 7 || y.length < 7) return x === y && x.length > 0;
  return x.startsWith(y) || y.startsWith(x);
}
function roleTitle(policy, roleId) {
  const role = [...policy.classifyingRoles, policy.releasingRole].find((r) => r.id === roleId);
  return role ? role.title.toLowerCase() : roleId;
}
function listWords(words) {
  if (words.length <= 1) return words.join("");
  return `${words.slice(0, -1).join(", ")} and ${words[words.length - 1]}`;
}

// action/src/policy/assign-roles.ts
function better(a, b) {
  if (a.required !== b.required) return a.required > b.required;
  if (a.filled !== b.filled) return a.filled > b.filled;
  if (a.tierSum !== b.tierSum) return a.tierSum > b.tierSum;
  for (let i = 0; i < a.order.length; i++) {
    const x = a.order[i] ?? -1;
    const y = b.order[i] ?? -1;
    if (x !== y) return x !== -1 && (y === -1 || x < y);
  }
  return false;
}
function assignRoles(roles, required, candidates) {
  const options = roles.map(
    (role) => candidates.filter((c) => c.roles.includes(role)).sort((a, b) => b.tier - a.tier || a.index - b.index).slice(0, roles.length)
  );
  let best;
  const picks = [];
  const used = /* @__PURE__ */ new Set();
  const search = (i) => {
    if (i === roles.length) {
      const score = { required: 0, filled: 0, tierSum: 0, order: [] };
      picks.forEach((pick, r) => {
        score.order.push(pick ? pick.index : -1);
        if (!pick) return;
        score.filled++;
        score.tierSum += pick.tier;
        if (required.includes(roles[r])) score.required++;
      });
      if (!best || better(score, best.score)) best = { score, picks: [...picks] };
      return;
    }
    for (const candidate of options[i] ?? []) {
      const key = candidate.user.toLowerCase();
      if (used.has(key)) continue;
      used.add(key);
      picks.push(candidate);
      search(i + 1);
      picks.pop();
      used.delete(key);
    }
    picks.push(void 0);
    search(i + 1);
    picks.pop();
  };
  search(0);
  const counted = /* @__PURE__ */ new Map();
  best?.picks.forEach((pick, r) => {
    if (pick) counted.set(roles[r], pick);
  });
  const countedUsers = new Set([...counted.values()].map((c) => c.user.toLowerCase()));
  return { counted, unassigned: candidates.filter((c) => !countedUsers.has(c.user.toLowerCase())) };
}

// action/src/policy/select-reviews.ts
function classifyingRolesOf(user, policy, workPackage) {
  return policy.classifyingRoles.map((r) => r.id).filter((id) => (workPackage.roles[id] ?? []).some((holder) => sameUser(holder, user)));
}
function holdsRole(user, roleId, workPackage) {
  return (workPackage.roles[roleId] ?? []).some((holder) => sameUser(holder, user));
}
function describeReviewer(user, policy, workPackage) {
  const roles = classifyingRolesOf(user, policy, workPackage);
  if (roles.length === 0 && holdsRole(user, policy.releasingRole.id, workPackage)) {
    return `${roleTitle(policy, policy.releasingRole.id)} ${formatUser(user)}`;
  }
  const words = roles.map((id) => roleTitle(policy, id));
  return words.length > 0 ? `${words.join(" and ")} ${formatUser(user)}` : formatUser(user);
}
function verbOf(review) {
  switch (review.state) {
    case "APPROVED":
      return "approved";
    case "CHANGES_REQUESTED":
      return "requested changes on";
    case "DISMISSED":
      return "reviewed";
    default:
      return "commented on";
  }
}
function isStale(review, head) {
  return review.stale === true || head !== void 0 && !sameCommit(review.commit, head);
}
function isDismissed(review) {
  return review.state === "DISMISSED" || review.dismissed === true;
}
function screenReviews(facts) {
  const { policy, workPackage } = facts;
  const ignored = [];
  const ignore = (review, reason, detail) => ignored.push({ reviewId: review.id, user: review.user, reason, detail });
  const who = (user) => describeReviewer(user, policy, workPackage);
  const latest = /* @__PURE__ */ new Map();
  facts.reviews.forEach((review, index) => {
    const roles = classifyingRolesOf(review.user, policy, workPackage);
    const releaser = holdsRole(review.user, policy.releasingRole.id, workPackage);
    if (sameUser(review.user, facts.author)) {
      ignore(
        review,
        "author",
        `${formatUser(review.user)} opened the pull request; the author's review #${review.id} never counts`
      );
      return;
    }
    if (roles.length === 0 && !releaser) {
      ignore(
        review,
        "no-role",
        `${formatUser(review.user)} holds no role in work package ${workPackage.id}: review #${review.id} not counted`
      );
      return;
    }
    if (review.state === "COMMENTED" || review.state === "PENDING") {
      const what = review.state === "PENDING" ? "is still pending (not submitted)" : "only comments";
      ignore(
        review,
        "not-approving",
        `review #${review.id} by ${who(review.user)} ${what}: only an approving review classifies, and a comment does not replace an earlier review`
      );
      return;
    }
    const key = review.user.toLowerCase();
    const previous = latest.get(key);
    if (previous) {
      ignore(
        previous.review,
        "superseded",
        `review #${previous.review.id} by ${who(review.user)} is superseded by their later review #${review.id}`
      );
    }
    latest.set(key, { review, index, roles });
  });
  const approvals = [];
  const changeRequests = [];
  for (const entry of latest.values()) {
    const { review } = entry;
    if (isDismissed(review)) {
      ignore(review, "dismissed", `review #${review.id} by ${who(review.user)} was dismissed: not counted`);
    } else if (review.state === "CHANGES_REQUESTED") {
      changeRequests.push(entry);
    } else if (isStale(review, facts.head)) {
      const where = facts.head !== void 0 && !sameCommit(review.commit, facts.head) ? `${shortSha(review.commit)}, before the last push (head ${shortSha(facts.head)})` : `${shortSha(review.commit)}, which the forge marks stale (made before the last push)`;
      ignore(
        review,
        "stale",
        `${who(review.user)} ${verbOf(review)} ${where}: review #${review.id} not counted`
      );
    } else if (entry.roles.length === 0) {
      ignore(
        review,
        "no-role",
        `${who(review.user)} holds no classifying role in work package ${workPackage.id}: review #${review.id} classifies nothing`
      );
    } else {
      approvals.push(entry);
    }
  }
  const byIndex = (a, b) => a.index - b.index;
  return { approvals: approvals.sort(byIndex), changeRequests: changeRequests.sort(byIndex), ignored };
}

// action/src/policy/discussion.ts
function checkAttendees(record, policy, workPackage) {
  const problems = [];
  const valid = record.attendees.filter((a) => {
    if (holdsRole(a.user, a.role, workPackage)) return true;
    problems.push(
      `discussion attendee ${formatUser(a.user)} is listed as ${roleTitle(policy, a.role)} but is not one in work package ${workPackage.id}`
    );
    return false;
  });
  for (const role of policy.discussion.requiredAttendees) {
    if (!valid.some((a) => a.role === role)) {
      const holders = (workPackage.roles[role] ?? []).map(formatUser).join(", ") || "nobody";
      problems.push(
        `no ${roleTitle(policy, role)} attended the discussion of ${record.date} (holders: ${holders})`
      );
    }
  }
  return problems;
}

// action/src/policy/glob.ts
function tokenizeSegment(segment) {
  const tokens = [];
  for (const ch of segment) {
    if (ch === "*") {
      if (tokens.at(-1)?.kind !== "star") tokens.push({ kind: "star" });
    } else if (ch === "?") {
      tokens.push({ kind: "any-one" });
    } else {
      const last = tokens.at(-1);
      if (last?.kind === "literal") last.text += ch;
      else tokens.push({ kind: "literal", text: ch });
    }
  }
  return tokens;
}
function matchSegment(tokens, text) {
  let reachable = Array.from({ length: text.length + 1 }, (_, i) => i === 0);
  for (const token of tokens) {
    const next = new Array(text.length + 1).fill(false);
    for (let pos = 0; pos <= text.length; pos++) {
      if (!reachable[pos]) continue;
      if (token.kind === "star") {
        for (let end = pos; end <= text.length; end++) next[end] = true;
        break;
      }
      if (token.kind === "any-one") {
        if (pos < text.length) next[pos + 1] = true;
      } else if (text.startsWith(token.text, pos)) {
        next[pos + token.text.length] = true;
      }
    }
    reachable = next;
  }
  return reachable[text.length] === true;
}
function splitPath(path) {
  return path.split("/").filter((s) => s !== "" && s !== ".");
}
function matchGlob(pattern, path) {
  const patternSegments = splitPath(pattern);
  const pathSegments = splitPath(path);
  const compiled = patternSegments.map((s) => s === "**" ? "globstar" : tokenizeSegment(s));
  const memo = /* @__PURE__ */ new Map();
  const walk = (pi, si) => {
    const key = pi * (pathSegments.length + 1) + si;
    const known = memo.get(key);
    if (known !== void 0) return known;
    let result;
    if (pi === compiled.length) {
      result = si === pathSegments.length;
    } else {
      const part = compiled[pi];
      if (part === "globstar") {
        result = walk(pi + 1, si) || si < pathSegments.length && walk(pi, si + 1);
      } else {
        result = si < pathSegments.length && matchSegment(part, pathSegments[si]) && walk(pi + 1, si + 1);
      }
    }
    memo.set(key, result);
    return result;
  };
  return walk(0, 0);
}

// action/src/policy/pre-approval.ts
function checkPreApproval(collection, facts) {
  const { policy, workPackage } = facts;
  const allRoles = policy.classifyingRoles.map((r) => r.id);
  const full = { requiredRoles: allRoles, problems: [], reasons: [] };
  if (collection.preApproval === void 0) return full;
  const id = collection.preApproval;
  if (!policy.preApproval.allowed) {
    return {
      ...full,
      problems: [`pre-approved forms are not allowed by policy ${policy.name}; remove preApproval '${id}'`]
    };
  }
  const forms = workPackage.preApproved ?? [];
  const form = forms.find((f) => f.id === id);
  if (!form) {
    const known = forms.map((f) => f.id).join(", ") || "none";
    return {
      ...full,
      problems: [
        `pre-approved form '${id}' is not defined in work package ${workPackage.id} (forms: ${known})`
      ]
    };
  }
  const problems = [];
  const unmatched = collection.items.map((i) => i.path).filter((p) => !form.patterns.some((g) => matchGlob(g, p)));
  if (unmatched.length > 0) {
    problems.push(
      `${listWords(unmatched.map((p) => `'${p}'`))} ${unmatched.length === 1 ? "does" : "do"} not match pre-approved form '${id}' (${form.patterns.join(", ")}): every item must match it`
    );
  }
  const named = form.roles ?? policy.preApproval.defaultRoles;
  const unknown = named.filter((r) => !allRoles.includes(r));
  if (unknown.length > 0) {
    problems.push(
      `pre-approved form '${id}' names roles that do not classify under policy ${policy.name}: ${unknown.join(", ")}`
    );
  }
  const requiredRoles = allRoles.filter((r) => named.includes(r));
  if (problems.length > 0) return { ...full, form, problems };
  return {
    requiredRoles,
    form,
    problems,
    reasons: [
      `pre-approved form '${id}' (up to tier ${form.tier}): every item matches; only ${listWords(requiredRoles.map((r) => roleTitle(policy, r)))} must classify`
    ]
  };
}

// action/src/policy/records.ts
function checkProvenance(collection, policy) {
  if (!policy.provenance.requiredFor.includes(collection.kind)) return [];
  const p = collection.provenance;
  const what = `a ${collection.kind} collection must say how it is regenerated`;
  if (!p) return [`${what}: add provenance (code and command)`];
  const problems = [];
  if (p.code.length === 0) problems.push(`${what}: provenance.code lists no code`);
  if (!p.command.trim()) problems.push(`${what}: provenance.command is empty`);
  return problems;
}
function checkGeneration(collection, policy, tier) {
  const rules = policy.generatedDatasets;
  if (!rules.kinds.includes(collection.kind)) return [];
  const g = collection.generation;
  const what = `a ${collection.kind} collection needs a generation record`;
  if (!g) return [`${what} (method, pinned script, justification, structure, target tier): add generation`];
  const problems = [];
  if (!rules.methods.includes(g.method)) {
    problems.push(
      `generation.method '${g.method}' is not accepted by policy ${policy.name} (${rules.methods.join(", ")})`
    );
  }
  if (!g.script?.path || !g.script.sha256) {
    problems.push(
      `generation.script must be pinned (path and sha256) so reviewers classify the exact script; run egress-gate lock`
    );
  }
  if (!g.justification?.trim()) {
    problems.push(
      "generation.justification is empty: explain why the script produces data of the target tier"
    );
  }
  if (!g.structure?.trim()) {
    problems.push("generation.structure is empty: describe the structure of the data for the reviewers");
  }
  if (!policy.tiers.some((t) => t.tier === g.targetTier)) {
    problems.push(`generation.targetTier ${g.targetTier} is not a tier of policy ${policy.name}`);
  } else if (rules.requireTargetTier !== false && tier !== void 0 && tier > g.targetTier) {
    problems.push(
      `classified at tier ${tier}, above the target tier ${g.targetTier} of the downstream environment: the ${g.method} did not reach its target`
    );
  }
  return problems;
}

// action/src/policy/review-grammar.ts
var tierLinePattern = /^tier(?:\s+([^\s:]+))?\s*:(.*)$/i;
var markerPattern = /^(?:[-*+]\s+|\d+[.)]\s+)/;
function unwrapLine(raw) {
  const line = raw.trim();
  if (line.startsWith(">")) return void 0;
  let text = line.replace(markerPattern, "");
  for (const wrap of ["`", "**", "__", "*", "_"]) {
    if (text.length > 2 * wrap.length && text.startsWith(wrap) && text.endsWith(wrap)) {
      text = text.slice(wrap.length, -wrap.length).trim();
    }
  }
  return text;
}
function parseTiers(body, collectionNames, policy) {
  const allowed = policy.tiers.map((t) => t.tier).sort((a, b) => a - b);
  const known = new Map(collectionNames.map((name) => [name.toLowerCase(), name]));
  const lines = [];
  const errors = [];
  const rows = body.split(/\r?\n|\r/);
  let fence;
  rows.forEach((raw, index) => {
    const opener = /^\s*(`{3,}|~{3,})/.exec(raw)?.[1];
    if (opener && (fence === void 0 || opener.startsWith(fence))) {
      fence = fence === void 0 ? opener : void 0;
      return;
    }
    if (fence !== void 0) return;
    const text = unwrapLine(raw);
    if (text === void 0) return;
    const match = tierLinePattern.exec(text);
    if (!match) return;
    const lineNo = index + 1;
    const quoted = `\`${text.length > 60 ? `${text.slice(0, 57)}...` : text}\``;
    const name = match[1]?.toLowerCase();
    const value = (match[2] ?? "").trim();
    if (name !== void 0 && !known.has(name)) {
      const names = [...known.values()].join(", ");
      errors.push(
        `line ${lineNo} ${quoted}: no collection named '${match[1]}' in this request (collections: ${names})`
      );
      return;
    }
    if (!/^\d{1,3}$/.test(value)) {
      errors.push(`line ${lineNo} ${quoted}: the tier must be a whole number from ${allowed.join(", ")}`);
      return;
    }
    const tier = Number(value);
    if (!allowed.includes(tier)) {
      errors.push(
        `line ${lineNo} ${quoted}: tier ${tier} does not exist in this policy (tiers: ${allowed.join(", ")})`
      );
      return;
    }
    lines.push(name === void 0 ? { line: lineNo, tier } : { line: lineNo, collection: name, tier });
  });
  const tiers = /* @__PURE__ */ new Map();
  const source = /* @__PURE__ */ new Map();
  for (const line of lines) {
    const targets = line.collection === void 0 ? [...known.keys()] : [line.collection];
    for (const target of targets) {
      const previous = source.get(target);
      if (previous && previous.tier !== line.tier) {
        errors.push(
          `lines ${previous.line} and ${line.line} give '${known.get(target)}' two different tiers (${previous.tier} and ${line.tier})`
        );
        continue;
      }
      if (!previous) {
        source.set(target, line);
        tiers.set(known.get(target) ?? target, line.tier);
      }
    }
  }
  if (errors.length > 0) return { ok: false, errors: [...new Set(errors)] };
  return { ok: true, lines, tiers };
}

// action/src/policy/sensitive.ts
function checkSensitive(collection, tier, facts) {
  const { policy, workPackage } = facts;
  const rules = policy.sensitive;
  const problems = [];
  const treatments = collection.discussion?.treatments ?? [];
  const itemPaths = new Set(collection.items.map((i) => i.path));
  const at = `tier ${tier} (at or above ${rules.fromTier})`;
  for (const t of treatments) {
    if (!itemPaths.has(t.path)) {
      problems.push(
        `the discussion decides a treatment for '${t.path}', which is not an item of this collection`
      );
    } else if (!rules.treatments.includes(t.treatment)) {
      problems.push(
        `treatment '${t.treatment}' for '${t.path}' is not allowed by the policy (allowed: ${rules.treatments.join(", ")})`
      );
    }
  }
  if (rules.requireTreatmentPerItem) {
    const treated = new Set(treatments.map((t) => t.path));
    const untreated = collection.items.map((i) => i.path).filter((p) => !treated.has(p));
    if (untreated.length > 0) {
      problems.push(
        `at ${at} every item needs a treatment (${rules.treatments.join(", ")}) in the discussion record; none for ${listWords(untreated.map((p) => `'${p}'`))}`
      );
    }
  }
  const excludedItems = treatments.filter((t) => t.treatment === "remove" && itemPaths.has(t.path)).map((t) => t.path);
  const notification = collection.providerNotification;
  const legalBasis = notification?.legalBasis?.trim();
  if (rules.requireOriginalProvider && !legalBasis) {
    const reaching = workPackage.dataProvider.destinations;
    if (!reaching.includes(collection.destination)) {
      problems.push(
        `at ${at} the destination must reach the original data provider ${workPackage.dataProvider.name} (${reaching.join(", ") || "none configured"}), not '${collection.destination}', unless providerNotification states a legalBasis`
      );
    }
  }
  if (rules.requireProviderNotification) {
    const recorded = legalBasis || notification?.reference?.trim() && notification.date?.trim();
    if (!recorded) {
      problems.push(
        `at ${at} the data provider's written notification must be recorded (providerNotification.reference and .date), or the legal basis for release`
      );
    }
  }
  if (rules.encryptToProviderOnly && workPackage.dataProvider.keys.length === 0) {
    problems.push(
      `at ${at} the package must be encrypted to the data provider's public key, but work package ${workPackage.id} names none (dataProvider.keys)`
    );
  }
  return { problems, excludedItems };
}

// action/src/policy/evaluate.ts
var collectionStateOrder = [
  "cleared",
  "awaiting-review",
  "needs-discussion",
  "changes-requested",
  "blocked"
];
function worstState(states) {
  return states.reduce(
    (worst, s) => collectionStateOrder.indexOf(s) > collectionStateOrder.indexOf(worst) ? s : worst,
    "cleared"
  );
}
function evaluatePolicy(facts) {
  const screened = screenReviews(facts);
  const names = facts.manifest.collections.map((c) => c.name);
  const parsed = /* @__PURE__ */ new Map();
  for (const a of screened.approvals) parsed.set(a.index, parseTiers(a.review.body, names, facts.policy));
  const collections = facts.manifest.collections.map((c) => evaluateCollection(c, facts, screened, parsed));
  const reasons = [];
  let state = worstState(collections.map((c) => c.state));
  let mergeAllowed = true;
  if (collections.length === 0) {
    reasons.push("the request has no collections: nothing to classify or deliver");
    state = "blocked";
  }
  if (facts.merger !== void 0) {
    const role = facts.policy.releasingRole;
    const title = roleTitle(facts.policy, role.id);
    if (holdsRole(facts.merger, role.id, facts.workPackage)) {
      reasons.push(`merged by ${title} ${formatUser(facts.merger)}`);
    } else {
      mergeAllowed = false;
      state = "blocked";
      const holders = (facts.workPackage.roles[role.id] ?? []).map(formatUser).join(", ") || "nobody";
      reasons.push(
        `${formatUser(facts.merger)} merged the pull request but is not a ${title} in work package ${facts.workPackage.id} (${title}: ${holders}): nothing may be delivered`
      );
    }
  }
  const tiers = collections.map((c) => c.tier);
  const decided = tiers.every((t) => t !== void 0) && tiers.length > 0;
  const passed = collections.length > 0 && mergeAllowed && collections.every((c) => c.state === "cleared");
  const result = { passed, state, collections, reasons };
  if (decided) result.tier = Math.max(...tiers);
  return result;
}
function evaluateCollection(collection, facts, screened, parsed) {
  const { policy, workPackage } = facts;
  const states = [];
  const reasons = [];
  const missing = [];
  const ignored = [...screened.ignored];
  const who = (user) => describeReviewer(user, policy, workPackage);
  const block = (problem) => {
    states.push("blocked");
    reasons.push(`blocked: ${problem}`);
    missing.push(problem);
  };
  const head = facts.head === void 0 ? "the head commit" : `head ${shortSha(facts.head)}`;
  if (!workPackage.destinations.includes(collection.destination)) {
    block(
      `destination '${collection.destination}' is not allowed for work package ${workPackage.id} (allowed: ${workPackage.destinations.join(", ") || "none"})`
    );
  } else if (!facts.config.destinations[collection.destination]) {
    block(`destination '${collection.destination}' is not configured in the egress configuration`);
  }
  const pre = checkPreApproval(collection, facts);
  pre.problems.forEach(block);
  reasons.push(...pre.reasons);
  checkProvenance(collection, policy).forEach(block);
  checkBlockingFindings(collection, facts).forEach(block);
  const candidates = [];
  const reviews = new Map(screened.approvals.map((a) => [a.index, a.review]));
  for (const a of screened.approvals) {
    const { review } = a;
    const parse = parsed.get(a.index);
    if (parse && !parse.ok) {
      ignored.push({
        reviewId: review.id,
        user: review.user,
        reason: "invalid-tier",
        detail: `review #${review.id} by ${who(review.user)} is invalid, so it classifies nothing: ${parse.errors.join("; ")}`
      });
      continue;
    }
    const tier2 = parse?.ok ? parse.tiers.get(collection.name) : void 0;
    if (tier2 === void 0) {
      ignored.push({
        reviewId: review.id,
        user: review.user,
        reason: "no-tier",
        detail: `${who(review.user)} approved without a tier for ${collection.name} (review #${review.id}): write \`tier: N\` or \`tier ${collection.name}: N\``
      });
      continue;
    }
    candidates.push({ user: review.user, roles: a.roles, tier: tier2, index: a.index });
  }
  const allRoles = policy.classifyingRoles.map((r) => r.id);
  const assignment = assignRoles(allRoles, pre.requiredRoles, candidates);
  const classifications = [];
  for (const role of allRoles) {
    const pick = assignment.counted.get(role);
    if (!pick) continue;
    const review = reviews.get(pick.index);
    classifications.push({
      role,
      user: pick.user,
      tier: pick.tier,
      reviewId: review.id,
      commit: review.commit
    });
    reasons.push(
      `${roleTitle(policy, role)} ${formatUser(pick.user)} classified tier ${pick.tier} (review #${review.id} on ${shortSha(review.commit)})`
    );
    if (pick.roles.length > 1) {
      reasons.push(
        `${formatUser(pick.user)} holds ${listWords(pick.roles.map((r) => roleTitle(policy, r)))}; counted as ${roleTitle(policy, role)} only: one person cannot fill two roles`
      );
    }
  }
  for (const c of assignment.unassigned) {
    const review = reviews.get(c.index);
    const fillers = c.roles.map((r) => {
      const f = assignment.counted.get(r);
      return f ? `${roleTitle(policy, r)} by ${formatUser(f.user)}` : `${roleTitle(policy, r)} (unfilled)`;
    });
    ignored.push({
      reviewId: review.id,
      user: review.user,
      reason: "role-taken",
      detail: `${who(c.user)}'s tier ${c.tier} for ${collection.name} (review #${review.id}) is not counted: one person fills one role, and the roles they hold are filled (${fillers.join(", ")})`
    });
  }
  for (const cr of screened.changeRequests) {
    states.push("changes-requested");
    reasons.push(
      `${who(cr.review.user)} requested changes (review #${cr.review.id} on ${shortSha(cr.review.commit)}): disapproval blocks the request`
    );
    missing.push(
      `${who(cr.review.user)} to approve with a tier instead of requesting changes, or their review to be dismissed`
    );
  }
  const missingRoles = pre.requiredRoles.filter((r) => !assignment.counted.has(r));
  if (missingRoles.length > 0) states.push("awaiting-review");
  for (const role of missingRoles) {
    const title = roleTitle(policy, role);
    const holders = (workPackage.roles[role] ?? []).filter((u) => !sameUser(u, facts.author));
    const requesting = (u) => screened.changeRequests.some((cr) => sameUser(cr.review.user, u));
    if (holders.length > 0 && holders.every(requesting)) continue;
    missing.push(
      holders.length > 0 ? `a classification of ${collection.name} from the ${title} (${holders.map(formatUser).join(" or ")}) approving ${head}` : `a classification of ${collection.name} from the ${title}, but work package ${workPackage.id} names no ${title} other than the pull request's author ${formatUser(facts.author)}`
    );
  }
  const tiers = classifications.map((c) => c.tier);
  const distinct = [...new Set(tiers)];
  const discussion = collection.discussion;
  const attendeeProblems = discussion ? checkAttendees(discussion, policy, workPackage) : [];
  let resolved;
  if (distinct.length > 1) {
    const highest = Math.max(...tiers);
    const listing = classifications.map((c) => `${roleTitle(policy, c.role)} ${c.tier}`).join(", ");
    if (discussion?.outcome === "no-agreement" && attendeeProblems.length === 0) {
      resolved = highest;
      reasons.push(
        `classifications differ (${listing}); the discussion of ${discussion.date} reached no agreement, so the highest proposed tier, ${highest}, applies`
      );
    } else {
      states.push("needs-discussion");
      reasons.push(`classifications differ (${listing}): a face-to-face discussion is needed`);
      if (!discussion) {
        missing.push(
          `either the reviewers re-classify ${collection.name} equally, or a discussion is recorded in the manifest; with outcome no-agreement the highest tier, ${highest}, applies`
        );
      } else if (discussion.outcome === "agreed") {
        missing.push(
          `the discussion of ${discussion.date} recorded agreement, but the classifications still differ: the reviewers must re-classify at the agreed tier`
        );
      } else {
        missing.push(...attendeeProblems);
      }
    }
  }
  let tier;
  if (missingRoles.length === 0 && classifications.length > 0 && (distinct.length === 1 || resolved !== void 0)) {
    tier = resolved ?? distinct[0];
  }
  let excludedItems = [];
  if (tier !== void 0) {
    if (pre.form && tier > pre.form.tier) {
      block(
        `classified at tier ${tier}, above the tier ${pre.form.tier} that pre-approved form '${pre.form.id}' allows`
      );
    }
    const sensitive = tier >= policy.sensitive.fromTier;
    if (tier > policy.releaseMaxTier) {
      const needed = `a face-to-face discussion is required at tier ${tier} (above ${policy.releaseMaxTier})`;
      const problems = discussion ? attendeeProblems : [
        `${needed}: record it in the manifest (date, attendees, outcome${sensitive ? ", treatments" : ""})`
      ];
      if (sensitive) problems.forEach(block);
      else if (problems.length > 0) {
        states.push("needs-discussion");
        reasons.push(needed);
        missing.push(...problems);
      }
    }
    if (sensitive) {
      const check = checkSensitive(collection, tier, facts);
      check.problems.forEach(block);
      excludedItems = check.excludedItems;
      if (excludedItems.length > 0) {
        reasons.push(
          `removed by the discussion and not delivered: ${excludedItems.map((p) => `'${p}'`).join(", ")}`
        );
      }
    }
  }
  checkGeneration(collection, policy, tier).forEach(block);
  const position = new Map(facts.reviews.map((r, i) => [r.id, i]));
  ignored.sort((a, b) => (position.get(a.reviewId) ?? 0) - (position.get(b.reviewId) ?? 0));
  const state = worstState(states);
  if (state === "cleared" && tier !== void 0) {
    reasons.push(`cleared at tier ${tier} on ${head}`);
  }
  const result = {
    name: collection.name,
    state,
    classifications,
    ignored,
    reasons,
    missing: state === "cleared" ? [] : missing,
    excludedItems,
    recipients: tier === void 0 ? [] : recipientsFor(collection, tier, facts)
  };
  if (tier !== void 0) result.tier = tier;
  return result;
}
function recipientsFor(collection, tier, facts) {
  const { policy, workPackage } = facts;
  const provider = workPackage.dataProvider;
  if (tier >= policy.sensitive.fromTier && policy.sensitive.encryptToProviderOnly) return [...provider.keys];
  const keys = [...workPackage.recipients];
  if (provider.destinations.includes(collection.destination)) keys.push(...provider.keys);
  return [...new Set(keys)];
}

// action/src/policy/reviews-file.ts
var reviewsFileSchemaPath = "schemas/reviews-file.schema.json";
function createReviewsFileParser() {
  const validate = loadSchemaFunctions()("reviews-file");
  return {
    parse(text, file) {
      const parsed = parseYaml(text, file);
      if (parsed.diagnostics.length > 0) return { diagnostics: parsed.diagnostics };
      const value = parsed.value;
      const asWritten = (pointer, v) => {
        if (typeof v !== "number" || !parsed.document) return v;
        const range = findNode(parsed.document, pointer)?.range;
        return range ? text.slice(range[0], range[1]).trim() : v;
      };
      if (value && typeof value === "object") {
        if ("head" in value) value.head = asWritten("/head", value.head);
        if (Array.isArray(value.reviews)) {
          value.reviews.forEach((r, i) => {
            if (!r || typeof r !== "object") return;
            const review = r;
            if (typeof review.state === "string") review.state = review.state.toUpperCase();
            if ("commit" in review) review.commit = asWritten(`/reviews/${i}/commit`, review.commit);
          });
        }
      }
      if (!validate(value)) {
        const diagnostics2 = mapSchemaErrors(parsed, validate.errors ?? [], reviewsFileSchemaPath).map(
          (d) => d.code === "invalid-value" && /\/(head|commit)$/.test(d.pointer) && d.message.includes("must match") ? {
            ...d,
            message: d.message.replace(
              /it must match .*$/,
              "write the commit sha (at least 7 hex digits)."
            )
          } : d
        );
        return {
          diagnostics: diagnostics2.map((d) => ({
            ...d,
            message: `${d.message} The format: ${reviewsFileSchemaPath}.`
          }))
        };
      }
      const raw = value;
      const diagnostics = [];
      const reviews = raw.reviews.map((r, i) => {
        if (raw.head !== void 0 && r.commit === void 0) {
          diagnostics.push(
            diagnosticAt(
              parsed,
              `/reviews/${i}`,
              "missing-field",
              `review ${i + 1} by '${r.user}' has no commit; with head set, every review needs the commit it was made on.`
            )
          );
        }
        const review = {
          id: r.id === void 0 ? String(i + 1) : String(r.id),
          user: r.user,
          state: r.state,
          commit: r.commit ?? "",
          body: r.body ?? ""
        };
        if (r.submittedAt !== void 0) review.submittedAt = r.submittedAt;
        if (r.dismissed !== void 0) review.dismissed = r.dismissed;
        if (r.stale !== void 0) review.stale = r.stale;
        return review;
      });
      const ids = /* @__PURE__ */ new Set();
      reviews.forEach((r, i) => {
        if (ids.has(r.id)) {
          diagnostics.push(
            diagnosticAt(
              parsed,
              `/reviews/${i}/id`,
              "duplicate-id",
              `review id '${r.id}' is used twice; ids must be unique.`
            )
          );
        }
        ids.add(r.id);
      });
      if (diagnostics.length > 0) return { diagnostics };
      const reviewsFile = { author: raw.author, reviews };
      if (raw.head !== void 0) reviewsFile.head = raw.head;
      if (raw.merger !== void 0) reviewsFile.merger = raw.merger;
      return { reviewsFile, diagnostics };
    }
  };
}
function parseReviewsFile(text, file) {
  return createReviewsFileParser().parse(text, file);
}

export {
  shortSha,
  sameCommit,
  roleTitle,
  evaluatePolicy,
  createReviewsFileParser,
  parseReviewsFile
};
