#!/usr/bin/env node
import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  diagnosticAt,
  formatListing,
  hasErrors,
  hashFiles,
  inlineDirectoryLimit,
  listPinnedEntries,
  listingPathFor,
  require_dist,
  resolveItem,
  resolveOutputsRoot,
  splitPointer,
  validateRequest
} from "./chunk-MFV4Z2EZ.js";
import {
  EgressError,
  __toESM
} from "./chunk-7N3PT735.js";

// action/src/app/lock-request.ts
import { createHash } from "node:crypto";

// action/src/manifest/lock.ts
var import_yaml = __toESM(require_dist(), 1);
function applyPins(source, pins) {
  const document = (0, import_yaml.parseDocument)(source, { uniqueKeys: true });
  const edits = [];
  for (const pin of pins) {
    const node = document.getIn(splitPointer(pin.pointer), true);
    if (!(0, import_yaml.isMap)(node) || !node.range) continue;
    if (pin.listing) {
      for (const edit of listingEdits(source, node, pin.listing)) edits.push(edit);
    } else if (node.flow) {
      const parent = document.getIn(splitPointer(pin.pointer).slice(0, -1), true);
      for (const edit of flowEdits(source, node, pin, (0, import_yaml.isSeq)(parent) && parent.flow === true))
        edits.push(edit);
    } else if (pin.directory) {
      edits.push(directoryEdit(source, node, pin));
    } else if (pin.files[0]) {
      for (const edit of fileEdits(source, node, pin.files[0])) edits.push(edit);
    }
  }
  if (edits.length === 0) return { text: source, changed: false };
  let text = source;
  for (const edit of edits.sort((a, b) => b.start - a.start)) {
    text = text.slice(0, edit.start) + edit.text + text.slice(edit.end);
  }
  return { text, changed: text !== source };
}
function pairOf(map, key) {
  return map.items.find((p) => (0, import_yaml.isScalar)(p.key) && p.key.value === key);
}
function lineEnd(text, offset) {
  const end = text.indexOf("\n", offset);
  return end === -1 ? text.length : end;
}
function lineStart(text, offset) {
  return text.lastIndexOf("\n", offset - 1) + 1;
}
function valueEnd(pair) {
  const value = pair.value;
  return value?.range?.[1] ?? pair.key.range[1];
}
function fileEdits(source, map, pin) {
  const edits = [];
  const sha = pairOf(map, "sha256");
  const size = pairOf(map, "size");
  const path = pairOf(map, "path");
  const indent = " ".repeat(
    (path.key.range[0] ?? 0) - lineStart(source, path.key.range[0])
  );
  const replaceValue = (pair, value) => {
    const node = pair.value;
    if ((0, import_yaml.isScalar)(node) && String(node.value) === value) return;
    const range = node?.range;
    if (range) edits.push({ start: range[0], end: range[1], text: value });
    else {
      const at = pair.key.range[1];
      edits.push({ start: at, end: lineEnd(source, at), text: `: ${value}` });
    }
  };
  let insert = "";
  if (sha) replaceValue(sha, pin.sha256);
  else insert += `
${indent}sha256: ${pin.sha256}`;
  if (size) replaceValue(size, String(pin.size));
  else if (sha) {
    const at = lineEnd(source, valueEnd(sha));
    edits.push({ start: at, end: at, text: `
${indent}size: ${pin.size}` });
  } else insert += `
${indent}size: ${pin.size}`;
  if (insert !== "") {
    const at = lineEnd(source, valueEnd(path));
    edits.push({ start: at, end: at, text: insert });
  }
  return edits;
}
function listingEdits(source, map, listing) {
  const current = pairOf(map, "listing")?.value?.toJSON?.();
  const fields = ["file", "sha256", "files", "bytes"];
  if (current && fields.every((f) => current[f] === listing[f]) && Object.keys(current).length === 4)
    return [];
  if (map.flow) {
    const value = {};
    for (const pair of map.items) {
      const key = String(pair.key.value);
      if (key !== "listing") value[key] = pair.value?.toJSON?.();
    }
    value["listing"] = { ...listing };
    const doc = new import_yaml.Document(value);
    doc.contents.flow = true;
    return [{ start: map.range[0], end: map.range[1], text: doc.toString({ lineWidth: 0 }).trimEnd() }];
  }
  const path = pairOf(map, "path");
  const keyStart = path.key.range[0];
  const indent = " ".repeat(keyStart - lineStart(source, keyStart));
  const body = fields.map((f) => `
${indent}  ${f}: ${f === "file" ? scalarText(listing.file) : listing[f]}`).join("");
  const existing = pairOf(map, "listing");
  if (existing) {
    const from = existing.key.range[1];
    let end = valueEnd(existing);
    while (end > from && /\s/.test(source[end - 1])) end--;
    return [{ start: from, end: lineEnd(source, end), text: `:${body}` }];
  }
  const at = lineEnd(source, valueEnd(path));
  return [{ start: at, end: at, text: `
${indent}listing:${body}` }];
}
function directoryEdit(source, map, pin) {
  const start = map.range[0];
  const keyColumn = start - lineStart(source, start);
  const itemPrefix = itemPrefixBefore(source, start);
  const indent = " ".repeat(keyColumn);
  const path = pairOf(map, "path");
  const pathLineEnd = lineEnd(source, valueEnd(path));
  const trailing = source.slice(valueEnd(path), pathLineEnd);
  const description = pairOf(map, "description");
  const describe = description ? `
${indent}description: ${sourceOf(source, description.value)}` : "";
  const entries = pin.files.map(
    (file, i) => `${i === 0 ? "" : `
${itemPrefix}`}path: ${scalarText(file.path)}${i === 0 ? trailing : ""}
${indent}sha256: ${file.sha256}
${indent}size: ${file.size}${describe}`
  );
  const end = lineEnd(
    source,
    map.items.reduce((last, p) => Math.max(last, valueEnd(p)), start)
  );
  if (entries.length === 0) {
    const from = lineStart(source, start);
    return { start: from === 0 ? 0 : from - 1, end, text: "" };
  }
  return { start, end, text: entries.join("") };
}
function itemPrefixBefore(source, start) {
  const dash = source.slice(lineStart(source, start), start);
  return dash.trimEnd().endsWith("-") ? dash : `${" ".repeat(Math.max(0, dash.length - 2))}- `;
}
function sourceOf(source, node) {
  return node?.range ? source.slice(node.range[0], node.range[1]) : "''";
}
function scalarText(value) {
  const plain = new import_yaml.Document(value).toString().trimEnd();
  return plain.includes("\n") ? JSON.stringify(value) : plain;
}
function flowEdits(source, map, pin, parentFlow) {
  const [start, end] = map.range;
  const extra = map.items.filter((p) => (0, import_yaml.isScalar)(p.key) && !["path", "sha256", "size"].includes(String(p.key.value))).map((p) => ({
    key: String(p.key.value),
    value: p.value?.toJSON?.()
  }));
  const render = (file) => {
    const doc = new import_yaml.Document({
      path: file.path,
      sha256: file.sha256,
      size: file.size,
      ...Object.fromEntries(extra.map((e) => [e.key, e.value]))
    });
    doc.contents.flow = true;
    return doc.toString({ lineWidth: 0 }).trimEnd();
  };
  if (!pin.directory) {
    const file = pin.files[0];
    if (!file) return [];
    const sha = pairOf(map, "sha256")?.value;
    const size = pairOf(map, "size")?.value;
    if ((0, import_yaml.isScalar)(sha) && sha.value === file.sha256 && (0, import_yaml.isScalar)(size) && size.value === file.size) return [];
    return [{ start, end, text: render(file) }];
  }
  if (pin.files.length === 0) {
    if (!parentFlow) {
      const from = lineStart(source, start);
      return [{ start: from === 0 ? 0 : from - 1, end: lineEnd(source, end), text: "" }];
    }
    const after = /^\s*,\s*/.exec(source.slice(end))?.[0];
    if (after) return [{ start, end: end + after.length, text: "" }];
    const before = /,\s*$/.exec(source.slice(0, start))?.[0] ?? "";
    return [{ start: start - before.length, end, text: "" }];
  }
  const separator = parentFlow ? ", " : `
${itemPrefixBefore(source, start)}`;
  return [{ start, end, text: pin.files.map(render).join(separator) }];
}

// action/src/app/lock-request.ts
async function lockRequest(input) {
  const validated = await validateRequest({
    files: input.files,
    manifestPath: input.manifestPath,
    repo: input.repo,
    configDir: input.configDir,
    expandListings: false
  });
  const { repo, declared: manifest, document } = validated;
  const failed = (diagnostics2) => ({
    changed: false,
    listings: [],
    files: 0,
    bytes: 0,
    diagnostics: diagnostics2,
    repo
  });
  if (!manifest || !document || hasErrors(validated.diagnostics)) return failed(validated.diagnostics);
  let root;
  try {
    root = await resolveOutputsRoot(input.outputsDir);
  } catch (error) {
    throw new EgressError(
      "CONFIG",
      `the outputs root '${input.outputsDir}' does not exist or cannot be read`,
      { cause: error }
    );
  }
  const diagnostics = [];
  const plans = [];
  const listed = /* @__PURE__ */ new Map();
  manifest.collections.forEach((collection, c) => {
    listed.set(c, new Set(collection.items.map((item) => item.path.replace(/\/+$/, ""))));
  });
  for (const entry of listPinnedEntries(manifest)) {
    const resolution = await resolveItem(root, entry.path);
    if (!resolution.ok) {
      diagnostics.push(
        diagnosticAt(document, `${entry.pointer}/path`, resolution.code, `${resolution.message}.`)
      );
      continue;
    }
    let files = resolution.files;
    let listing;
    if (resolution.directory) {
      const c = Number(entry.pointer.split("/")[2]);
      const collection = manifest.collections[c];
      const explicit = listed.get(c);
      files = files.filter((f) => !explicit.has(f.path));
      for (const f of files) explicit.add(f.path);
      if (resolution.files.length === 0) {
        diagnostics.push(
          diagnosticAt(
            document,
            `${entry.pointer}/path`,
            "empty-directory",
            `directory '${entry.path}' holds no files.`
          )
        );
        continue;
      }
      const item = collection.items[Number(entry.pointer.split("/")[4])];
      if (files.length > 0 && (files.length > inlineDirectoryLimit || item?.listing)) {
        const directory = entry.path.replace(/\/+$/, "");
        listing = {
          file: listingPathFor(manifest.id, collection.name, directory),
          directory,
          collection: collection.name
        };
      }
    }
    plans.push({
      pointer: entry.pointer,
      directory: resolution.directory,
      files,
      ...listing ? { listing } : {}
    });
  }
  if (diagnostics.length > 0) return failed(diagnostics);
  for (const d of checkTreatments(document, manifest, plans)) diagnostics.push(d);
  if (diagnostics.length > 0) return failed(diagnostics);
  const all = plans.flatMap((p) => p.files.map((f) => f.absolutePath));
  const digests = await hashFiles(all, { onProgress: input.onProgress });
  let next = 0;
  const listings = [];
  let listingsChanged = false;
  const pins = [];
  for (const plan of plans) {
    const files = plan.files.map((f) => ({ path: f.path, ...digests[next++] }));
    if (!plan.listing) {
      pins.push({ pointer: plan.pointer, directory: plan.directory, files });
      continue;
    }
    const text2 = formatListing(files, {
      manifestPath: input.manifestPath,
      collection: plan.listing.collection,
      directory: plan.listing.directory,
      outputsRoot: repo.config.outputsRoot,
      file: plan.listing.file
    });
    listings.push({ path: plan.listing.file, text: text2 });
    if (await input.files.readText(plan.listing.file) !== text2) listingsChanged = true;
    pins.push({
      pointer: plan.pointer,
      directory: true,
      files,
      listing: {
        file: plan.listing.file,
        sha256: createHash("sha256").update(text2, "utf8").digest("hex"),
        files: files.length,
        bytes: files.reduce((sum, f) => sum + f.size, 0)
      }
    });
  }
  const text = await input.files.readText(input.manifestPath) ?? "";
  const result = applyPins(text, pins);
  return {
    text: result.text,
    listings,
    changed: result.changed || listingsChanged,
    files: all.length,
    bytes: digests.reduce((sum, d) => sum + d.size, 0),
    diagnostics: [],
    repo
  };
}
function checkTreatments(document, manifest, plans) {
  const out = [];
  manifest.collections.forEach((collection, c) => {
    const prefix = `/collections/${c}/items/`;
    const files = new Set(
      plans.filter((p) => p.pointer.startsWith(prefix)).flatMap((p) => p.files.map((f) => f.path))
    );
    collection.discussion?.treatments?.forEach((treatment, t) => {
      const path = treatment.path.replace(/\/+$/, "");
      if (files.has(path)) return;
      for (const file of files) if (file.startsWith(`${path}/`)) return;
      out.push(
        diagnosticAt(
          document,
          `/collections/${c}/discussion/treatments/${t}/path`,
          "unknown-item",
          `treatment for '${treatment.path}', which is no file of collection '${collection.name}' once its directories are listed.`
        )
      );
    });
  });
  return out;
}

export {
  lockRequest
};
