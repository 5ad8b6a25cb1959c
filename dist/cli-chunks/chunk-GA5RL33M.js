#!/usr/bin/env node
import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  createOutputsResolver,
  hashFileSync,
  locate,
  resolveOutputsRoot
} from "./chunk-MFV4Z2EZ.js";
import {
  EgressError
} from "./chunk-7N3PT735.js";

// action/src/disclosure/acknowledge.ts
function matches(ack, f) {
  return ack.rule === f.rule && ack.file === f.file && (ack.line === void 0 || ack.line === f.line) && (ack.cell === void 0 || ack.cell.toUpperCase() === (f.cell ?? "").toUpperCase());
}
function applyAcknowledgements(findings, acks) {
  const used = /* @__PURE__ */ new Set();
  const out = findings.map((f) => {
    const i = acks.findIndex((a) => matches(a, f));
    if (i === -1 || f.rule === "unmatched-acknowledgement") return f;
    used.add(i);
    acks.forEach((a, j) => {
      if (matches(a, f)) used.add(j);
    });
    return { ...f, acknowledged: { reason: acks[i].reason } };
  });
  const unmatched = acks.flatMap((_, i) => used.has(i) ? [] : [i]);
  return { findings: out, unmatched };
}

// action/src/disclosure/finding.ts
function cellName(fieldIndex, line) {
  let n = fieldIndex;
  let letters = "";
  while (n > 0) {
    const r = (n - 1) % 26;
    letters = String.fromCharCode(65 + r) + letters;
    n = Math.floor((n - 1) / 26);
  }
  return `${letters}${line}`;
}
function settle(raw, settings) {
  return raw.filter((f) => settings.rules[f.rule].enabled).map((f) => ({ ...f, severity: settings.rules[f.rule].severity }));
}

// action/src/disclosure/free-text.ts
var MAX_LENGTH = 2e3;
var SAMPLE = 2e3;
var MAX_VALUES = 2e4;
var MIN_VALUES = 5;
var MIN_DISTINCT = 0.8;
function createFreeTextStats() {
  const histogram = new Uint32Array(MAX_LENGTH + 1);
  const seen = /* @__PURE__ */ new Set();
  let sampled = 0;
  let count = 0;
  return {
    add(value) {
      if (value === "" || count >= MAX_VALUES) return;
      count += 1;
      histogram[Math.min(value.length, MAX_LENGTH)] += 1;
      if (sampled < SAMPLE) {
        sampled += 1;
        seen.add(value);
      }
    },
    saturated() {
      return count >= MAX_VALUES;
    },
    verdict(minMedianLength) {
      if (count < MIN_VALUES) return void 0;
      let below = 0;
      let median = 0;
      for (let length = 0; length <= MAX_LENGTH; length += 1) {
        below += histogram[length];
        if (below * 2 >= count) {
          median = length;
          break;
        }
      }
      const distinct = seen.size / sampled;
      return median >= minMedianLength && distinct >= MIN_DISTINCT ? { median, distinct } : void 0;
    }
  };
}

// action/src/disclosure/magnitude.ts
function failsPPercent(total, largest, p) {
  const [x1, x2] = largest;
  if (x1 === void 0 || x2 === void 0 || x1 <= 0) return false;
  return total - x1 - x2 < p / 100 * x1;
}
function nkShare(total, largest, n) {
  if (total <= 0 || largest.length < Math.min(n, 1)) return void 0;
  const top = largest.slice(0, n).reduce((a, b) => a + b, 0);
  return top / total * 100;
}

// action/src/disclosure/sieve/line-sieve.ts
import { Worker } from "node:worker_threads";

// action/src/disclosure/sieve/sieve-wasm.ts
var SIEVE_WASM_BASE64 = "AGFzbQEAAAABEQNgAAF/YAR/f3x8AGABfwF/AwoJAAAAAAAAAAECBAUBcAEBAQUDAQBSBgkBfwFB4OnGAgsHYQoGbWVtb3J5AgAFaW5wdXQAAAVtb2RlcwABB291dExpbmUAAghvdXRTdGFydAADCGNhcGFjaXR5AAQKbWF4Q29sdW1ucwAFBWxpbmVzAAYJY29uZmlndXJlAAcDcnVuAAgKkB4JCABBgIiAgAALCABBgInAgAALCABBgKnAgAALCABBkKnAgQALBwBBgIDAAAsFAEGAIAsLAEEAKAKUqcCCAAvABQMBfwR+AX8jgICAgABBEGshBEEAIAA2ApipwIIAQQBCADcDuKnAggBBACABQYAgIAFBgCBJGzYCnKnAggACQAJARAAAAAAAAAAAIAIgAkQAAAAAAAAAAGUbIgJEAAAAAAAA8ENjIAJEAAAAAAAAAABmcUUNACACsSEFDAELQgAhBQtBACAFNwOgqcCCAAJAAkBEAAAAAAAAAAAgAyADRAAAAAAAAAAAZRsiA0QAAAAAAADwQ2MgA0QAAAAAAAAAAGZxRQ0AIAOxIQYMAQtCACEGC0EAIAY3A6ipwIIAQQBBADYCsKnAggACQAJAIAVQDQBCACEHQQAhAEEAIQEDQCAFQgqAIQgCQCABQQdLDQBBACAHIAUgCEIKfn1CMIQgAK2GhCIHNwO4qcCCAAsgAEEIaiEAIAFBAWohASAFQgpUIQkgCCEFIAlFDQALQQAgATYCsKnAggAgAUUNACABQX9qIQAMAQtBgAEhAEEAIQELIAQgADoAACAEIAFBcGpBgH8gAUEPSxs6AA8gBCABQXFqQYB/IAFBDksbOgAOIAQgAUFyakGAfyABQQ1LGzoADSAEIAFBc2pBgH8gAUEMSxs6AAwgBCABQXRqQYB/IAFBC0sbOgALIAQgAUF1akGAfyABQQpLGzoACiAEIAFBdmpBgH8gAUEJSxs6AAkgBCABQXdqQYB/IAFBCEsbOgAIIAQgAUF4akGAfyABQQdLGzoAByAEIAFBeWpBgH8gAUEGSxs6AAYgBCABQXpqQYB/IAFBBUsbOgAFIAQgAUF7akGAfyABQQRLGzoABCAEIAFBfGpBgH8gAUEDSxs6AAMgBCABQX1qQYB/IAFBAksbOgACIAQgAUF+akGAfyABQQFLGzoAAUEAIAT9AAQA/QsEwKnAggBBACAGQgFWQQAoArCpwIIAQQhLcjYC0KnAggALjRgQCH8EfgF/AXsCfwF7AX8BfgF/B34BfwJ+AX8LfgR7B39BACEBQQAhAgJAQQAoApypwIIAIgNFDQAgA0EBcSEEAkACQCADQQFHDQBBACECQQAhBQwBCyADQX5xIQZBACECQQAhBQNAAkAgBUGAicCAAGotAABFDQAgAkEBdEHgqcCCAGogBTsBACACQQFqIQILAkAgBUGBicCAAGotAABFDQAgAkEBdEHgqcCCAGogBUEBajsBACACQQFqIQILIAYgBUECaiIFRw0ACwsgBEUNACAFQYCJwIAAai0AAEUNACACQQF0QeCpwIIAaiAFOwEAIAJBAWohAgtBACEHAkAgAEUNACADQX9qIQggAK0hCUEAKQOoqcCCACEKQQApA6CpwIIAIQtBACkDuKnAggAhDEEAKAKwqcCCACENQQD9AATAqcCCACEOQQAoAtCpwIIAIQ9BACgCmKnAggAiEP0PIRFBgIiAgAAhEkIAIRNBACEHQQAhAUEAIRRBACEGQgAhFUIAIRZCACEXQgAhGEIAIRlCACEaQgAhG0EAIRxCACEdQgAhHkEAIR8DQCAeISAgHSEhIBshIiAaIR4gGSEjIBghHSAXISQgFiElIBUhJiATpyEEIBIhBUIAISdCACEYQgAhKEIAIRlCACEaQgAhG0IAIRdCACEWQgAhFUIAISlCACEqA0AgBf0ABAAiK/0MDQ0NDQ0NDQ0NDQ0NDQ0NDf0jIAVBAWr9AAAA/QwKCgoKCgoKCgoKCgoKCgoKIiz9I/1PICv9DDo6Ojo6Ojo6Ojo6Ojo6Ojr9IyAr/QxAQEBAQEBAQEBAQEBAQEBA/SP9UCAr/QwiIiIiIiIiIiIiIiIiIiIi/SP9UP1QICv9DCAgICAgICAgICAgICAgICAiLf0lICv9DPv7+/v7+/v7+/v7+/v7+/v9Tv0MCQkJCQkJCQkJCQkJCQkJCSIu/SMgKyAs/SMiLP1Q/U/9UP1krSAnhiAohCEoICv9DC0tLS0tLS0tLS0tLS0tLS39IyArIC39I/1QICsgLv0j/VD9ZK0gJ4YgGIQhGCArIC39UCIt/QxkZGRkZGRkZGRkZGRkZGRk/SMgLf0McnJycnJycnJycnJycnJycv0j/VAgLf0Mb29vb29vb29vb29vb29vb/0j/VAgLf0MaWlpaWlpaWlpaWlpaWlpaf0j/VD9ZK0gJ4YgGoQhGiAFQRBqIQUgK/0MLi4uLi4uLi4uLi4uLi4uLv0j/WStICeGIBeEIRcgESAr/SP9ZK0gJ4YgKYQhKSAs/WStICeGICqEISogK/0M/f39/f39/f39/f39/f39/f1O/QwpKSkpKSkpKSkpKSkpKSkp/SP9ZK0gJ4YgG4QhGyAr/Qzb29vb29vb29vb29vb29vb/U79DEJCQkJCQkJCQkJCQkJCQkL9I/1krSAnhiAZhCEZICv9DFBQUFBQUFBQUFBQUFBQUFAiLP1u/QyKioqKioqKioqKioqKioqKIiv9Jf1krSAnhiAVhCEVIC39DB8fHx8fHx8fHx8fHx8fHx/9bv0Mmpqampqampqampqampqamv0l/WStICeGIBaEIRYgJ0IQfCInQsAAUg0ACyAaIBlCAYYgI0I/iISDIBtCAYYgIkI/iIQgFYOEIBVCAoYgJkI+iIQiJyAWgyAWQgGGICVCP4iEg4QgGkIBhiAeQj+IhCAZg4QgGSAXQgGGICRCP4iEIiKDIBpCAoYgHkI+iISDhCAnIBWDIicgFUIBhiAmQj+IhIMiHkIDhiAgQj2IhCAeg4QgKIQgHiAYQgOGIB1CPYiEIiiDIB5CBIYgIEI8iISDhCAVQgOGICZCPYiEIiAgF0IEhiAkQjyIhIMgHoOEICcgGEIBhiAdQj+IhIMgFUIFhiAmQjuIhCAggyAYQgSGIB1CPIiEgyAoIBVCBIYgJkI8iISDhIOEICcgIoMiHUIChiAhQj6IhCAdQgOGICFCPYiEhCAdQgSGICFCPIiEhCAdg4QhISApQgAgEBtCf0J/IAAgBGsiBa2GQn+FIAVBP0sbIiiDISYCQCACRQ0AIBxB/z9xQQJ0QeDpwIIAaiATICZCgICAgICAgICAf4R6hD4CACAcQQFqQf8/cUECdEHg6cCCAGogEyAmQn98ICaDIidCgICAgICAgICAf4R6hD4CACAcQQJqQf8/cUECdEHg6cCCAGogEyAnQn98ICeDIidCgICAgICAgICAf4R6hD4CACAcQQNqQf8/cUECdEHg6cCCAGogEyAnQn98ICeDIidCgICAgICAgICAf4R6hD4CACAcQQRqQf8/cUECdEHg6cCCAGogEyAnQn98ICeDIidCgICAgICAgICAf4R6hD4CACAcQQVqQf8/cUECdEHg6cCCAGogEyAnQn98ICeDIidCgICAgICAgICAf4R6hD4CACAcQQZqQf8/cUECdEHg6cCCAGogEyAnQn98ICeDIidCgICAgICAgICAf4R6hD4CACAcQQdqQf8/cUECdEHg6cCCAGogEyAnQn98ICeDIidCgICAgICAgICAf4R6hD4CACAme6ciBUEJSQ0AIAVBAXEhLyAnQn98ICeDISdBCCEEAkAgBUEJRg0AIAVBeGpBfnEhMEEAIQUDQCAcIAVqIgRBCGpB/z9xQQJ0QeDpwIIAaiATICdCgICAgICAgICAf4R6hD4CACAEQQlqQf8/cUECdEHg6cCCAGogEyAnQn98ICeDIidCgICAgICAgICAf4R6hD4CACAnQn98ICeDIScgMCAFQQJqIgVHDQALIAVBCGohBAsgL0UNACAEIBxqQf8/cUECdEHg6cCCAGogEyAnQoCAgICAgICAgH+EeoQ+AgALICEgKIMhIUEAIQUCQAJAICogKIMiKFANAANAIB8hMSAcQv///////////wBCfyAoeiInhkJ/hSAnpyIyQT9GIjMbIikgJoN7p2ohHyAoQn98ICiDISgCQCAUIBMgJ4SnIjRGDQACQCAUQQFqIDRHDQAgFEGAiICAAGotAABBDUYNAQsCQCAGQQBHQn8gBa2GICGDIClCAYZCAYSDQgBSciIEDQAgA0UNACAfIDFrQQFqIANHIQQLAkACQCAEDQAgAkUNACA0QX9qITVBACEvA0AgFCEFAkAgL0EBdEHgqcCCAGovAQAiBEUNACAxIARqQX9qQf8/cUECdEHg6cCCAGooAgBBAWohBQsCQAJAIAggBEYNACAxIARqQf8/cUECdEHg6cCCAGooAgAhBgwBCyA0IQYgBSA0Tw0AIDUgNCA1QYCIgIAAai0AAEENRhshBgsgBiAFayEwAkACQCAEQYCJwIAAai0AAEECRw0AAkAgMEERSQ0AQQAhBCAGIAVNDQIgBUGAiICAAGotAABBRmpB/wFxQfYBSQ0FIAVBAWohBAJAA0AgBiAEIgVGDQEgBUEBaiEEIAVBgIiAgABqLQAAQUZqQf8BcUH2AU8NAAsLIAUgBkkhBAwCCyAFQYCIgIAAav0AAAAgLP1uICv9Jf1kQn8gMK2Gp0F/cyIFcSAFRyEEDAELIDBBf2pBDksNAyAFQYCIgIAAav0AAAAiLSAs/W4gK/0l/WRBfyAwdEF/cyIEcSAERw0DIC39FgAhBAJAAkAgDw0AIARB/wFxQTBHDQELIAYgBUF/c2pBDksNBEIAIScCQCAGIAVNDQAgBEFQaiIEQf8BcUEJSw0FIAVBAWohBUIAIScDQCAnQgp+IAStQv8Bg3whJyAGIAVGDQEgBUGAiICAAGohBCAFQQFqIQUgBC0AAEFQaiIEQf8BcUEJTQ0ADAYLCyAnIAtUIgQNASAKQgJUDQEgJyAKgkIAUiEEDAELIDAgDU0gMCANRyAtIA79Dv0dACAMVHJxIQQLIAQNASAvQQFqIi8gAkkNAAsLIARFDQELIAdBAnQiBUGQqcCBAGogFDYCACAFQYCpwIAAaiABNgIAIAdBAWohBwsgMkEBaiEFIDRBAWohFCABQQFqIQFBACEGIChCAFINAAtBACEGIDMNAQsgBkEBICEgBa2IUBshBgsgEkHAAGohEiAcICZ7p2ohHCATQsAAfCITIAlUDQALC0EAIAE2ApSpwIIAIAcL";

// action/src/disclosure/sieve/line-sieve.ts
var SIEVE_FREE = 0;
var SIEVE_COUNT = 1;
var SIEVE_WHOLE = 2;
var compiled;
function sieveModule() {
  compiled ??= new WebAssembly.Module(Buffer.from(SIEVE_WASM_BASE64, "base64"));
  return compiled;
}
function runSieve(exports, bytes, job) {
  const memory = new Uint8Array(exports.memory.buffer);
  memory.set(bytes, exports.input());
  memory.set(job.modes, exports.modes());
  exports.configure(job.delimiter, job.modes.length, job.minCount, job.base);
  const count = exports.run(bytes.length);
  const lines = new Uint32Array(exports.memory.buffer, exports.outLine(), count);
  const starts = new Uint32Array(exports.memory.buffer, exports.outStart(), count);
  const reported = new Uint32Array(count * 2);
  for (let i = 0; i < count; i += 1) {
    reported[2 * i] = lines[i];
    reported[2 * i + 1] = starts[i];
  }
  return { lines: exports.lines(), reported };
}
function instantiate() {
  return new WebAssembly.Instance(sieveModule()).exports;
}
function createLocalSieve() {
  const exports = instantiate();
  return {
    capacity: exports.capacity(),
    maxColumns: exports.maxColumns(),
    async sieve(buffer, length, job) {
      return { buffer, result: runSieve(exports, new Uint8Array(buffer, 0, length), job) };
    },
    async close() {
    }
  };
}
function sieveWorkerMain(run) {
  const { parentPort, workerData } = process.getBuiltinModule("node:worker_threads");
  const exports = new WebAssembly.Instance(workerData.module).exports;
  parentPort.on("message", (message) => {
    const result = run(exports, new Uint8Array(message.buffer, 0, message.length), message.job);
    parentPort.postMessage({ id: message.id, buffer: message.buffer, result }, [
      message.buffer,
      result.reported.buffer
    ]);
  });
}
function createSievePool(threads = 2) {
  const local = instantiate();
  const source = `(${sieveWorkerMain.toString()})(${runSieve.toString()})`;
  const workers = Array.from(
    { length: threads },
    () => new Worker(source, { eval: true, workerData: { module: sieveModule() } })
  );
  const pending = /* @__PURE__ */ new Map();
  let failure;
  const failAll = (error) => {
    failure ??= error;
    for (const waiter of pending.values()) waiter.reject(failure);
    pending.clear();
  };
  for (const worker of workers) {
    worker.on("message", (reply) => {
      const waiter = pending.get(reply.id);
      pending.delete(reply.id);
      waiter?.resolve({ buffer: reply.buffer, result: reply.result });
    });
    worker.on(
      "error",
      (error) => failAll(
        new EgressError("INTERNAL", `A disclosure-check thread failed: ${error.message}`, { cause: error })
      )
    );
    worker.on("exit", (code) => {
      if (pending.size > 0)
        failAll(new EgressError("INTERNAL", `A disclosure-check thread stopped (exit ${code}).`));
    });
  }
  let nextId = 0;
  return {
    capacity: local.capacity(),
    maxColumns: local.maxColumns(),
    sieve(buffer, length, job) {
      return new Promise((resolve, reject) => {
        if (failure !== void 0) {
          reject(failure);
          return;
        }
        const id = nextId++;
        pending.set(id, { resolve, reject });
        workers[id % workers.length].postMessage({ id, buffer, length, job }, [buffer]);
      });
    },
    async close() {
      await Promise.all(workers.map((w) => w.terminate()));
    }
  };
}

// action/src/disclosure/tables.ts
var SUPPRESSED = /^(?:\*+|x|\[c\]|\[x\]|c|<\s*\d+|suppressed|redacted|\.\.)$/i;
var MISSING = /^(?:|na|n\/a|nan|null|none|missing|-|\.)$/i;
var WHOLE = /^\d+$/;
var NUMBER = /^-?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;
var DAY_DATE = /^(?:\d{4}-\d{2}-\d{2}|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4})(?:[T ].*)?$/;
var NOT_A_COUNT = new Set(
  "id ids year years yr yrs code codes zip postcode age ages month months day days week weeks hour hours minute minutes min mins second seconds sec duration time survival los length rank index idx score scores level grade stage dose height weight bmi size version number_id quarter qtr period date dob".split(
    " "
  )
);
function headerTokens(header) {
  return header.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase().split(/[^a-z0-9]+/).filter((t) => t !== "");
}
function namesNonCount(header) {
  return headerTokens(header).some((t) => NOT_A_COUNT.has(t));
}
function splitDelimited(line, delimiter) {
  const fields = [];
  if (!line.includes('"')) {
    let start2 = 0;
    for (; ; ) {
      const end = line.indexOf(delimiter, start2);
      const stop = end === -1 ? line.length : end;
      fields.push({ text: line.slice(start2, stop).trim(), column: start2 + 1 });
      if (end === -1) return fields;
      start2 = end + 1;
    }
  }
  let current = "";
  let start = 0;
  let quoted = false;
  for (let i = 0; i < line.length; i += 1) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        current += '"';
        i += 1;
      } else if (ch === '"') quoted = false;
      else current += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === delimiter) {
      fields.push({ text: current.trim(), column: start + 1 });
      current = "";
      start = i + 1;
    } else current += ch;
  }
  fields.push({ text: current.trim(), column: start + 1 });
  return fields;
}
function isWhole(text) {
  if (text.length === 0 || text.length > 15) return text.length > 15 && WHOLE.test(text);
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}
function splitInto(line, delimiter, texts, cols) {
  if (line.includes('"')) {
    const fields = splitDelimited(line, delimiter);
    fields.forEach((f, i) => {
      texts[i] = f.text;
      cols[i] = f.column;
    });
    return fields.length;
  }
  let n = 0;
  let start = 0;
  for (; ; ) {
    const end = line.indexOf(delimiter, start);
    const stop = end === -1 ? line.length : end;
    const raw = line.slice(start, stop);
    const first = raw.charCodeAt(0);
    const last = raw.charCodeAt(raw.length - 1);
    texts[n] = first <= 32 || last <= 32 ? raw.trim() : raw;
    cols[n] = start + 1;
    n += 1;
    if (end === -1) return n;
    start = end + 1;
  }
}
var MAX_KEPT_ROWS = 5e3;
var MAX_PENDING = 200;
function createTableScanner(file, delimiter, rules, declaration) {
  const basis = declaration ? "declared" : "inferred";
  const findings = [];
  let headers;
  let headerLine = 1;
  let columns = [];
  const index = /* @__PURE__ */ new Map();
  let rows = [];
  const texts = [];
  const cols = [];
  const minCount = rules["small-cell"].threshold ?? 10;
  const base = declaration?.roundedTo ?? rules["unrounded-count"].threshold;
  const magnitudes = (declaration?.magnitudes ?? []).map((m) => ({ ...m }));
  const push = (f, column) => {
    const finding = { ...f, file, basis };
    if (column && !declaration) {
      if (column.pending.length < MAX_PENDING) column.pending.push(finding);
      else column.pendingOverflow += 1;
    } else findings.push(finding);
  };
  function start(fields, line) {
    headers = fields.map((f) => f.text);
    headerLine = line;
    headers.forEach((h, i) => {
      if (!index.has(h)) index.set(h, i);
    });
    const roles = /* @__PURE__ */ new Map();
    const declare = (names, role, what) => {
      for (const name of names ?? []) {
        const at = index.get(name);
        if (at === void 0) {
          findings.push({
            rule: "declaration-mismatch",
            file,
            line,
            column: 1,
            basis: "declared",
            message: `the table declaration names ${what} column '${name}', but the header has no such column (columns: ${headers.join(", ")})`,
            advice: "correct the column name in the manifest"
          });
        } else roles.set(at, role);
      }
    };
    if (declaration) {
      declare(declaration.counts, "count", "count");
      declare(
        magnitudes.map((m) => m.column),
        "magnitude",
        "magnitude"
      );
      declare(
        magnitudes.flatMap((m) => m.contributors ? [m.contributors] : []),
        "contributors",
        "contributors"
      );
      declare(
        magnitudes.flatMap((m) => m.largest ?? []),
        "largest",
        "largest-contribution"
      );
      declare(declaration.identifiers, "identifier", "identifier");
      declare(declaration.dates, "date", "date");
    }
    columns = headers.map((header, i) => ({
      header,
      role: roles.get(i) ?? (declaration ? "category" : namesNonCount(header) ? "category" : "count"),
      pending: [],
      pendingOverflow: 0,
      countLike: !declaration && !namesNonCount(header),
      wholeSeen: false,
      measure: false,
      textual: false,
      text: createFreeTextStats(),
      dayDates: 0
    }));
    for (const m of magnitudes) {
      if (m.contributors === void 0 && index.has(m.column)) {
        findings.push({
          rule: "magnitude-contributors",
          file,
          line,
          column: fields[index.get(m.column)].column,
          basis: "declared",
          message: `magnitude column '${m.column}' declares no contributors column, so the threshold rule cannot be checked`,
          advice: "add a column with the number of contributors to each cell and declare it as `contributors`"
        });
      }
    }
  }
  function countCell(col, text, line, column, i) {
    const whole2 = isWhole(text);
    if (whole2) {
      col.wholeSeen = true;
      const value2 = Number(text);
      if (value2 >= minCount && (base === void 0 || base <= 1 || value2 % base === 0)) return;
    }
    const at = { line, column, cell: cellName(i + 1, line) };
    if (!whole2 && SUPPRESSED.test(text)) return;
    if (!whole2 && MISSING.test(text)) {
      push(
        {
          ...at,
          rule: "missing-cell",
          message: `missing value in count column '${col.header}'`,
          advice: "say whether it is suppressed (write a marker such as `*`), a structural zero, or not collected"
        },
        col
      );
      return;
    }
    if (!whole2) {
      if (declaration) {
        push({
          ...at,
          rule: "declaration-mismatch",
          message: `'${text.slice(0, 20)}' in column '${col.header}' is not a whole number, but the column is declared as counts`,
          advice: "correct the declaration, or the table"
        });
      } else col.countLike = false;
      return;
    }
    const value = Number(text);
    if (value === 0) {
      push(
        {
          ...at,
          rule: "zero-cell",
          message: `zero count in column '${col.header}'`,
          advice: "a zero can reveal that nobody in a group has an attribute: check it is a structural zero, or combine categories"
        },
        col
      );
    } else if (value < minCount) {
      push(
        {
          ...at,
          rule: "small-cell",
          message: `count ${value} in column '${col.header}' is below the threshold of ${minCount}`,
          advice: "suppress it or combine categories, and check it cannot be recovered from totals"
        },
        col
      );
    }
    if (base !== void 0 && base > 1 && value % base !== 0) {
      push(
        {
          ...at,
          rule: "unrounded-count",
          message: `count in column '${col.header}' is not a multiple of the rounding base ${base}`,
          advice: `round every count to base ${base}${declaration?.roundedTo ? "" : ", or declare the table"}`
        },
        col
      );
    }
  }
  function magnitudeCells(count, line) {
    const num = (name) => {
      const at = name === void 0 ? void 0 : index.get(name);
      const text = at === void 0 || at >= count ? void 0 : texts[at];
      return text !== void 0 && NUMBER.test(text) ? Number(text) : void 0;
    };
    for (const m of magnitudes) {
      const at = index.get(m.column);
      const field = at === void 0 || at >= count ? void 0 : { text: texts[at], column: cols[at] };
      if (at === void 0 || !field || SUPPRESSED.test(field.text) || !NUMBER.test(field.text)) continue;
      const where = { line, column: field.column, cell: cellName(at + 1, line) };
      const value = Number(field.text);
      const contributors = num(m.contributors);
      const threshold = rules["magnitude-contributors"].threshold ?? minCount;
      if (contributors !== void 0 && contributors < threshold) {
        push({
          ...where,
          rule: "magnitude-contributors",
          message: `magnitude in column '${m.column}' has ${contributors} contributor${contributors === 1 ? "" : "s"}, below the threshold of ${threshold}`,
          advice: "suppress it or combine categories until every cell has enough contributors"
        });
      }
      if (m.statistic === "median") continue;
      const total = m.statistic === "mean" ? value * (contributors ?? Number.NaN) : value;
      const largest = (m.largest ?? []).map(num).filter((x) => x !== void 0);
      if (!Number.isFinite(total) || largest.length === 0) continue;
      const p = rules["p-percent"].threshold ?? 10;
      if (failsPPercent(total, largest, p)) {
        push({
          ...where,
          rule: "p-percent",
          message: `magnitude in column '${m.column}' fails the p% rule (p = ${p}): the second-largest contributor could estimate the largest within ${p}%`,
          advice: "suppress it or combine categories"
        });
      }
      const n = rules["nk-dominance"].n ?? 2;
      const k = rules["nk-dominance"].threshold ?? 90;
      const share = largest.length >= Math.min(n, largest.length) ? nkShare(total, largest, n) : void 0;
      if (share !== void 0 && share > k) {
        push({
          ...where,
          rule: "nk-dominance",
          message: `magnitude in column '${m.column}' is dominated: the ${n} largest contributions make up ${Math.round(share)}% (more than ${k}%)`,
          advice: "suppress it or combine categories"
        });
      }
    }
  }
  const sieveJob = () => {
    const wholeBase = base === void 0 || base <= 1 ? 0 : Number.isInteger(base) && base < 1e15 ? base : void 0;
    if (!headers || rows !== void 0 || magnitudes.length > 0 || wholeBase === void 0) return void 0;
    const modes = new Uint8Array(columns.length);
    for (const [i, col] of columns.entries()) {
      if (col.role === "date") return void 0;
      const sampled = col.role === "category" || col.role === "identifier" || !declaration && col.role === "count";
      if (sampled && !col.text.saturated()) return void 0;
      if (col.role === "count" && (declaration || col.countLike)) {
        if (!declaration && !col.wholeSeen) return void 0;
        modes[i] = SIEVE_COUNT;
      } else modes[i] = !declaration && !col.measure && !col.textual ? SIEVE_WHOLE : SIEVE_FREE;
    }
    return {
      delimiter: delimiter.charCodeAt(0),
      modes,
      minCount: Math.min(Math.ceil(minCount), 1e16),
      base: wholeBase
    };
  };
  return {
    sieveJob,
    addLine(text, line) {
      if (text.length === 0 || text.charCodeAt(0) <= 32 && text.trim() === "") return headers;
      if (!headers) {
        start(splitDelimited(text, delimiter), line);
        return headers;
      }
      const count = splitInto(text, delimiter, texts, cols);
      if (rows) {
        if (rows.length < MAX_KEPT_ROWS) {
          const fields = [];
          for (let i = 0; i < count; i += 1) fields.push({ text: texts[i], column: cols[i] });
          rows.push({ line, fields });
        } else rows = void 0;
      }
      const n = Math.min(count, columns.length);
      for (let i = 0; i < n; i += 1) {
        const col = columns[i];
        const value = texts[i];
        if (col.role === "count" && (declaration || col.countLike)) countCell(col, value, line, cols[i], i);
        else if (!declaration && !col.measure && !col.textual) {
          if (!NUMBER.test(value)) col.textual = value !== "";
          else if (!isWhole(value)) col.measure = true;
        }
        if (col.role === "category" || col.role === "identifier" || !declaration && col.role === "count")
          col.text.add(value);
        if (col.role === "date" && DAY_DATE.test(value)) {
          col.dayDates += 1;
          col.firstDate ??= { line, column: cols[i] };
        }
      }
      if (magnitudes.length > 0) magnitudeCells(count, line);
      return headers;
    },
    finish() {
      const out = [...findings];
      const countColumns = [];
      columns.forEach((col, i) => {
        const isCount = col.role === "count" && (declaration !== void 0 || col.countLike && col.wholeSeen);
        if (isCount) {
          countColumns.push(i);
          out.push(...col.pending);
          if (col.pendingOverflow > 0) {
            out.push({
              rule: col.pending[0].rule,
              file,
              line: 0,
              column: 0,
              basis,
              message: `\u2026 and ${col.pendingOverflow} more findings in column '${col.header}'`,
              advice: col.pending[0].advice
            });
          }
        } else if (!declaration && col.role === "count") col.role = col.measure ? "magnitude" : "category";
        const at = { line: headerLine, column: 1, cell: cellName(i + 1, headerLine) };
        if (col.role === "identifier") {
          out.push({
            ...at,
            rule: "identifier-column",
            file,
            basis: "declared",
            message: `column '${col.header}' is declared as identifiers`,
            advice: "remove it, or replace it with pseudonyms that cannot be linked back"
          });
        }
        if (col.role === "date" && col.dayDates > 0) {
          out.push({
            line: col.firstDate.line,
            column: col.firstDate.column,
            cell: cellName(i + 1, col.firstDate.line),
            rule: "precise-date",
            file,
            basis: "declared",
            message: `date column '${col.header}' holds ${col.dayDates} date${col.dayDates === 1 ? "" : "s"} to the day`,
            advice: "coarsen the dates to month or year"
          });
        }
        if (col.role === "category") {
          const threshold = rules["free-text"].threshold ?? 50;
          const verdict = col.text.verdict(threshold);
          if (verdict) {
            out.push({
              ...at,
              rule: "free-text",
              file,
              basis: "inferred",
              message: `column '${col.header}' looks like free text (median ${verdict.median} characters, ${Math.round(verdict.distinct * 100)}% distinct)`,
              advice: "free text can name people: remove it, or replace it with coded categories"
            });
          }
        }
      });
      if (declaration?.residualDegreesOfFreedom !== void 0) {
        const min = rules["residual-dof"].threshold ?? 10;
        if (declaration.residualDegreesOfFreedom < min) {
          out.push({
            rule: "residual-dof",
            file,
            line: 0,
            column: 0,
            basis: "declared",
            message: `the model's residual degrees of freedom (${declaration.residualDegreesOfFreedom}) are below ${min}`,
            advice: "fit the model on more observations or fewer parameters, or do not release it"
          });
        }
      }
      if (!headers || !rows || countColumns.length === 0) return { findings: out };
      const categories = columns.flatMap((c, i) => c.role === "category" || c.role === "date" ? [i] : []);
      return { findings: out, summary: { file, headers, counts: countColumns, categories, rows, basis } };
    }
  };
}

// action/src/disclosure/differencing.ts
var TOTAL = /^(?:total|totals|all|overall|any|both|all persons|all people)$/i;
var WHOLE2 = /^\d+$/;
function rowsOf(table) {
  return table.rows.map(({ line, fields }) => {
    const cats = /* @__PURE__ */ new Map();
    for (const i of table.categories) cats.set(table.headers[i], (fields[i]?.text ?? "").toLowerCase());
    const counts = /* @__PURE__ */ new Map();
    for (const i of table.counts) {
      const f = fields[i];
      const text = f?.text ?? "";
      counts.set(table.headers[i], {
        value: WHOLE2.test(text) ? Number(text) : SUPPRESSED.test(text) ? "suppressed" : void 0,
        column: f?.column ?? 1,
        cell: cellName(i + 1, line)
      });
    }
    return { table, line, cats, counts };
  });
}
var keyOf = (row, headers) => headers.map((h) => row.cats.get(h) ?? "").join("\0");
function findDifferencing(tables, threshold) {
  const all = tables.map((t) => ({
    table: t,
    rows: rowsOf(t),
    catHeaders: t.categories.map((i) => t.headers[i]).sort()
  }));
  const groups = all.map(({ rows, catHeaders }) => {
    const byColumn = /* @__PURE__ */ new Map();
    for (const c of catHeaders) {
      const others = catHeaders.filter((h) => h !== c);
      const map = /* @__PURE__ */ new Map();
      for (const row of rows) {
        if (TOTAL.test(row.cats.get(c) ?? "")) continue;
        const key = keyOf(row, others);
        map.set(key, [...map.get(key) ?? [], row]);
      }
      byColumn.set(c, map);
    }
    return byColumn;
  });
  const found = /* @__PURE__ */ new Map();
  const check = (total, parts) => {
    if (parts.length < 2) return;
    for (const [header, cell] of total.counts) {
      if (typeof cell.value !== "number") continue;
      const partCells = parts.map((p) => ({ row: p, cell: p.counts.get(header) ?? soleCount(p, total) }));
      if (partCells.some((p) => p.cell === void 0 || p.cell.value === void 0)) continue;
      const hidden = partCells.filter((p) => p.cell.value === "suppressed");
      if (hidden.length !== 1) continue;
      const known = partCells.reduce(
        (sum, p) => sum + (typeof p.cell.value === "number" ? p.cell.value : 0),
        0
      );
      const revealed = cell.value - known;
      if (revealed <= 0 || revealed >= threshold) continue;
      const { row, cell: target } = hidden[0];
      const key = `${row.table.file}\0${target.cell}`;
      if (found.has(key)) continue;
      const where = total.table === row.table ? `line ${total.line}` : `${total.table.file}:${total.line}`;
      found.set(key, {
        rule: "differencing",
        file: row.table.file,
        line: row.line,
        column: target.column,
        cell: target.cell,
        basis: row.table.basis,
        message: `the suppressed cell in column '${header}' can be recovered by subtraction: the total at ${where} minus the other ${parts.length - 1} cells is a count below ${threshold}`,
        advice: "suppress a second cell (secondary suppression), round the totals, or remove the total"
      });
    }
  };
  all.forEach(({ rows, catHeaders }, t) => {
    for (const row of rows) {
      for (const c of catHeaders) {
        if (!TOTAL.test(row.cats.get(c) ?? "")) continue;
        const others = catHeaders.filter((h) => h !== c);
        check(row, groups[t].get(c)?.get(keyOf(row, others)) ?? []);
      }
      all.forEach((other, u) => {
        if (u === t || other.catHeaders.length !== catHeaders.length + 1) return;
        if (!catHeaders.every((h) => other.catHeaders.includes(h))) return;
        const extra = other.catHeaders.find((h) => !catHeaders.includes(h));
        check(row, groups[u].get(extra)?.get(keyOf(row, catHeaders)) ?? []);
      });
    }
  });
  return [...found.values()];
}
function soleCount(part, total) {
  return part.counts.size === 1 && total.counts.size === 1 ? [...part.counts.values()][0] : void 0;
}

// action/src/disclosure/scan-file.ts
import { createHash as createHash2 } from "node:crypto";
import { closeSync as closeSync2, openSync as openSync2, readFileSync, readSync as readSync2, statSync } from "node:fs";
import { extname } from "node:path";

// action/src/disclosure/binary.ts
var ARCHIVES = [
  { name: "zip", offset: 0, magic: [80, 75, 3, 4] },
  { name: "gzip", offset: 0, magic: [31, 139] },
  { name: "bzip2", offset: 0, magic: [66, 90, 104] },
  { name: "xz", offset: 0, magic: [253, 55, 122, 88, 90, 0] },
  { name: "zstd", offset: 0, magic: [40, 181, 47, 253] },
  { name: "7z", offset: 0, magic: [55, 122, 188, 175, 39, 28] },
  { name: "rar", offset: 0, magic: [82, 97, 114, 33, 26, 7] },
  { name: "tar", offset: 257, magic: [117, 115, 116, 97, 114] }
];
function detectArchive(head) {
  return ARCHIVES.find((a) => a.magic.every((byte, i) => head[a.offset + i] === byte))?.name;
}
function looksBinary(head) {
  return head.subarray(0, 8192).includes(0);
}
var GPS_IFD_TAG = 34853;
function tiffHasGps(tiff) {
  if (tiff.length < 8) return false;
  const view = new DataView(tiff.buffer, tiff.byteOffset, tiff.byteLength);
  const order = view.getUint16(0);
  if (order !== 18761 && order !== 19789) return false;
  const little = order === 18761;
  const ifd0 = view.getUint32(4, little);
  if (ifd0 + 2 > tiff.length) return false;
  const entries = view.getUint16(ifd0, little);
  for (let i = 0; i < entries; i += 1) {
    const at = ifd0 + 2 + i * 12;
    if (at + 12 > tiff.length) return false;
    if (view.getUint16(at, little) === GPS_IFD_TAG) return true;
  }
  return false;
}
function imageHasGps(head) {
  if (head[0] === 255 && head[1] === 216) {
    let at = 2;
    while (at + 4 <= head.length && head[at] === 255) {
      const marker = head[at + 1];
      const length = head[at + 2] << 8 | head[at + 3];
      if (marker === 218 || length < 2) break;
      const exifHeader = [69, 120, 105, 102, 0, 0];
      if (marker === 225 && exifHeader.every((b, i) => head[at + 4 + i] === b)) {
        if (tiffHasGps(head.subarray(at + 10, at + 2 + length))) return true;
      }
      at += 2 + length;
    }
    return false;
  }
  if (head[0] === 137 && head[1] === 80 && head[2] === 78 && head[3] === 71) {
    const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
    let at = 8;
    while (at + 8 <= head.length) {
      const length = view.getUint32(at);
      const type = String.fromCharCode(...head.subarray(at + 4, at + 8));
      if (type === "eXIf") return tiffHasGps(head.subarray(at + 8, at + 8 + length));
      if (type === "IDAT" || type === "IEND") return false;
      at += 12 + length;
    }
    return false;
  }
  return tiffHasGps(head);
}

// action/src/disclosure/identifiers.ts
var EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
var PHONE = /(?<![\d.])(?:\+44\s?\(?0?\)?|0)(?:\d[\s-]?){9,10}(?!\d|\.\d)/g;
var POSTCODE = /\b(?:GIR ?0AA|[A-PR-UWYZ](?:\d[A-HJKPSTUW]?|[A-HK-Y]\d[ABEHMNPRVWXY]?|\d\d|[A-HK-Y]\d\d) ?\d[ABD-HJLNP-UW-Z]{2})\b/gi;
var NHS_CANDIDATE = /(?<![\d.])(\d{3})[ -]?(\d{3})[ -]?(\d{4})(?![\d.])/g;
var DATE = /\b(\d{4}-\d{2}-\d{2}|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4})\b/g;
var BIRTH_WORD = /\b(?:dob|d\.o\.b\.?|date[\s_-]*of[\s_-]*birth|birth[\s_-]*date|born)\b/i;
var COORDINATES = /(?<![\d.])(-?\d{1,2}\.\d{4,})\s*[,;\s]\s*(-?\d{1,3}\.\d{4,})(?!\d|\.\d)/g;
var OCTET = "(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
var IPV4 = new RegExp(`(?<![\\d.])(?:${OCTET}\\.){3}${OCTET}(?![\\d]|\\.\\d)`, "g");
var IPV6 = /(?<![\w:])(?:(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}|(?:[0-9a-f]{1,4}:){1,6}:(?:[0-9a-f]{1,4}:){0,5}[0-9a-f]{1,4})(?![\w:])/gi;
var ADVICE = {
  "email-address": "remove it, or replace it with a pseudonym",
  "phone-number": "remove it",
  "uk-postcode": "remove it, or aggregate to the postcode district or a larger area",
  "nhs-number": "remove it, or replace it with a pseudonym",
  "date-of-birth": "remove it, or coarsen it to the year or an age band",
  "precise-coordinates": "round to 2 decimals (about 1 km) or aggregate to areas",
  "ip-address": "remove it, or truncate it to the network"
};
function isNeutralIp(text) {
  return /^(?:127\.|0\.0\.0\.0$)/.test(text) || text === "::1";
}
function isValidNhsNumber(digits) {
  if (!/^\d{10}$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < 9; i += 1) sum += Number(digits[i]) * (10 - i);
  const check = 11 - sum % 11;
  if (check === 10) return false;
  return (check === 11 ? 0 : check) === Number(digits[9]);
}
function mask(value) {
  return value.length <= 4 ? "****" : `${value.slice(0, 2)}\u2026${value.slice(-2)}`;
}
function scanLineForIdentifiers(text, context = {}) {
  const found = [];
  const add = (index, rule, message) => found.push({ column: index + 1, rule, message, advice: ADVICE[rule] });
  for (const m of text.matchAll(EMAIL)) add(m.index, "email-address", `e-mail address ${mask(m[0])}`);
  for (const m of text.matchAll(NHS_CANDIDATE)) {
    const digits = `${m[1]}${m[2]}${m[3]}`;
    if (isValidNhsNumber(digits))
      add(m.index, "nhs-number", `NHS number with a valid checksum ${mask(digits)}`);
  }
  const nhsAt = new Set(found.filter((f) => f.rule === "nhs-number").map((f) => f.column));
  for (const m of text.matchAll(PHONE)) {
    if (!nhsAt.has(m.index + 1)) add(m.index, "phone-number", `UK phone number ${mask(m[0].trim())}`);
  }
  for (const m of text.matchAll(POSTCODE)) add(m.index, "uk-postcode", `UK postcode ${mask(m[0])}`);
  for (const m of text.matchAll(COORDINATES)) {
    const lat = Number(m[1]);
    const lon = Number(m[2]);
    if (Math.abs(lat) <= 90 && Math.abs(lon) <= 180) {
      add(m.index, "precise-coordinates", "latitude/longitude with 4 or more decimals (within ~11 m)");
    }
  }
  if (text.includes(".")) {
    for (const m of text.matchAll(IPV4))
      if (!isNeutralIp(m[0])) add(m.index, "ip-address", `IP address ${mask(m[0])}`);
  }
  if (text.includes("::") || /(?:[0-9a-f]{1,4}:){7}/i.test(text)) {
    for (const m of text.matchAll(IPV6)) {
      const groups = m[0].split(":").filter((g) => g !== "").length;
      if (groups >= 3 && !isNeutralIp(m[0])) add(m.index, "ip-address", `IP address ${mask(m[0])}`);
    }
  }
  if (context.birthColumn || BIRTH_WORD.test(text)) {
    for (const m of text.matchAll(DATE))
      add(m.index, "date-of-birth", `date next to a birth field ${mask(m[0])}`);
  }
  return found.sort((a, b) => a.column - b.column);
}

// action/src/disclosure/line-reader.ts
import { createHash } from "node:crypto";
import { closeSync, openSync, readSync } from "node:fs";

// action/src/disclosure/text-blocks.ts
var READ_BYTES = 1024 * 1024;
function lineStarts(block) {
  const starts = [0];
  for (let at = block.indexOf("\n"); at !== -1; at = block.indexOf("\n", at + 1)) starts.push(at + 1);
  return starts;
}
function lineAt(block, starts, i) {
  const end = i + 1 < starts.length ? starts[i + 1] - 1 : block.length;
  const text = block.slice(starts[i], end);
  return text.endsWith("\r") ? text.slice(0, -1) : text;
}
var PREFILTERS = [
  /\d{3}[ -]?\d{3}/g,
  /\d[\s-]\d\d?[\s-]\d/g,
  /\d[A-Za-z]{2}(?![A-Za-z0-9])/g,
  /\.\d{4}/g,
  /\d\.\d{1,3}\.\d/g,
  /dob|d\.o\.b|birth|born|degrees of freedom|Df Residuals/gi,
  /[+)]\d/g
];
var IPV6_FULL = /(?:[0-9a-f]{1,4}:){7}/gi;
function candidateLines(block, starts) {
  const offsets = [];
  for (const literal of ["@", "::"]) {
    for (let at = block.indexOf(literal); at !== -1; at = block.indexOf(literal, at + 1)) offsets.push(at);
  }
  for (const re of PREFILTERS) for (const m of block.matchAll(re)) offsets.push(m.index);
  if (block.includes(":")) for (const m of block.matchAll(IPV6_FULL)) offsets.push(m.index);
  const lines = /* @__PURE__ */ new Set();
  for (const offset of offsets) lines.add(lineIndexOf(starts, offset));
  return [...lines].sort((a, b) => a - b);
}
function lineIndexOf(starts, offset) {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = lo + hi + 1 >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

// action/src/disclosure/line-reader.ts
var CHUNK_BYTES = 1 << 20;
var MAX_LINE_BYTES = 64 << 20;
var IN_FLIGHT = 4;
var LF = 10;
function withoutCr(bytes, start, end) {
  const stop = end > start && bytes[end - 1] === 13 ? end - 1 : end;
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, stop - start).toString("utf8");
}
async function readLines(path, handlers, options = {}) {
  const { sieve } = options;
  const chunkBytes = sieve?.capacity ?? CHUNK_BYTES;
  const hash = createHash("sha256");
  const free = [];
  const queue = [];
  let line = 1;
  let total = 0;
  let offset = 0;
  let eof = false;
  const fd = options.contents ? void 0 : openSync(path, "r");
  const fill = (view, from) => {
    let filled = from;
    if (options.contents) {
      const part = options.contents.subarray(offset, offset + view.length - from);
      view.set(part, from);
      offset += part.length;
      filled += part.length;
      eof = offset >= options.contents.length;
    } else {
      while (filled < view.length && !eof) {
        const n = readSync(fd, view, filled, view.length - filled, null);
        if (n === 0) eof = true;
        filled += n;
      }
    }
    hash.update(view.subarray(from, filled));
    total += filled - from;
    return filled;
  };
  const takeNext = async () => {
    const { buffer, result } = await queue.shift();
    const bytes = new Uint8Array(buffer);
    const r = result.reported;
    for (let i = 0; i < r.length; i += 2) {
      let start = r[i + 1];
      if (line + r[i] === 1 && start === 0 && bytes[0] === 239 && bytes[1] === 187 && bytes[2] === 191)
        start = 3;
      handlers.onLine(withoutCr(bytes, start, bytes.indexOf(LF, start)), line + r[i]);
    }
    line += result.lines;
    free.push(buffer);
  };
  const inJavaScript = (bytes, start, end) => {
    const stop = end > start && bytes[end - 1] === LF ? end - 1 : end;
    const block = new TextDecoder("utf-8", { ignoreBOM: start !== 0 || line !== 1 }).decode(
      bytes.subarray(start, stop)
    );
    const starts = lineStarts(block);
    handlers.onBlock(block, line, starts);
    line += starts.length;
  };
  try {
    let carry = new Uint8Array(0);
    while (!eof || carry.length > 0) {
      let buffer = carry.length < chunkBytes / 2 ? free.pop() ?? new ArrayBuffer(chunkBytes) : new ArrayBuffer(carry.length + chunkBytes);
      let view = new Uint8Array(buffer);
      view.set(carry);
      let filled = fill(view, carry.length);
      let end = view.lastIndexOf(LF, filled - 1) + 1;
      while (end === 0 && !eof && filled < MAX_LINE_BYTES) {
        const bigger = new Uint8Array(Math.min(view.length * 2, MAX_LINE_BYTES));
        bigger.set(view.subarray(0, filled));
        view = bigger;
        buffer = bigger.buffer;
        filled = fill(view, filled);
        end = view.lastIndexOf(LF, filled - 1) + 1;
      }
      if (end === 0 || eof) end = filled;
      carry = view.slice(end, filled);
      if (end === 0) break;
      const job = view[end - 1] === LF && end <= (sieve?.capacity ?? 0) ? handlers.sieveJob() : void 0;
      if (sieve && job && job.modes.length <= sieve.maxColumns) {
        queue.push(sieve.sieve(buffer, end, job));
        while (queue.length >= IN_FLIGHT) await takeNext();
        continue;
      }
      while (queue.length > 0) await takeNext();
      inJavaScript(view, 0, end);
      if (buffer.byteLength === chunkBytes) free.push(buffer);
    }
    while (queue.length > 0) await takeNext();
  } finally {
    await Promise.allSettled(queue);
    if (fd !== void 0) closeSync(fd);
  }
  return { sha256: hash.digest("hex"), bytes: total };
}

// action/src/disclosure/notebook.ts
function cellLines(text) {
  const lines = [];
  let line = 1;
  let at = 0;
  for (; ; ) {
    const next = text.indexOf('"cell_type"', at);
    if (next === -1) return lines;
    for (let i = at; i < next; i += 1) if (text.charCodeAt(i) === 10) line += 1;
    lines.push(line);
    at = next + 1;
  }
}
function scanNotebook(text, file) {
  let notebook;
  try {
    notebook = JSON.parse(text);
  } catch {
    return [];
  }
  if (!Array.isArray(notebook.cells)) return [];
  const lines = cellLines(text);
  const findings = [];
  notebook.cells.forEach((raw, i) => {
    if (raw?.cell_type !== "code" || !Array.isArray(raw.outputs) || raw.outputs.length === 0) return;
    const kinds = /* @__PURE__ */ new Set();
    for (const output of raw.outputs) {
      if (output.output_type === "stream") kinds.add("printed text");
      else if (output.output_type === "error") kinds.add("an error trace");
      for (const mime of Object.keys(output.data ?? {})) {
        kinds.add(
          mime.startsWith("image/") ? "an image" : mime === "text/html" ? "a rendered table" : "data"
        );
      }
    }
    findings.push({
      rule: "notebook-output",
      file,
      line: lines[i] ?? 0,
      column: lines[i] ? 1 : 0,
      cell: String(i + 1),
      basis: "inferred",
      message: `notebook cell ${i + 1} has embedded outputs (${[...kinds].sort().join(", ")})`,
      advice: "clear the outputs (jupyter nbconvert --clear-output) and egress the results as separate reviewed files"
    });
  });
  return findings;
}

// action/src/disclosure/scan-file.ts
var HEAD_BYTES = 256 * 1024;
var BIRTH_HEADER = /\b(?:dob|date[\s_-]*of[\s_-]*birth|birth[\s_-]*date|birth)\b/i;
var MAX_FINDINGS_PER_RULE = 50;
var MAX_NOTEBOOK_BYTES = 64 * 1024 * 1024;
var RESIDUAL_DF = /(?:\bon (\d+) degrees of freedom\b|\bDf Residuals:\s+(\d+)\b)/;
var WHOLE_FILE_BYTES = 1 << 20;
var PLAIN_TEXT = { delimiter: 0, modes: new Uint8Array(0), minCount: 0, base: 0 };
var POOL_BYTES = 16 << 20;
function readHead(path) {
  const fd = openSync2(path, "r");
  try {
    const buffer = Buffer.alloc(HEAD_BYTES);
    return buffer.subarray(0, readSync2(fd, buffer, 0, HEAD_BYTES, 0));
  } finally {
    closeSync2(fd);
  }
}
function capPerRule(findings, alreadyDropped = /* @__PURE__ */ new Map()) {
  const kept = [];
  const extra = /* @__PURE__ */ new Map();
  const seen = /* @__PURE__ */ new Map();
  for (const f of findings) {
    const n = (seen.get(f.rule) ?? 0) + 1;
    seen.set(f.rule, n);
    if (n <= MAX_FINDINGS_PER_RULE) kept.push(f);
    else extra.set(f.rule, { count: (extra.get(f.rule)?.count ?? 0) + 1, sample: f });
  }
  for (const [rule, count] of alreadyDropped) {
    const sample = findings.find((f) => f.rule === rule);
    if (sample) extra.set(rule, { count: (extra.get(rule)?.count ?? 0) + count, sample });
  }
  for (const { count, sample } of extra.values()) {
    kept.push({
      ...sample,
      line: 0,
      column: 0,
      cell: void 0,
      message: `\u2026 and ${count} more ${sample.rule} findings in this file`
    });
  }
  return kept.map((f) => f.cell === void 0 ? omitCell(f) : f);
}
function omitCell(f) {
  const { cell: _cell, ...rest } = f;
  return rest;
}
async function scanText(absolutePath, file, rules, declaration, read) {
  const extension = extname(file).toLowerCase();
  const delimiter = extension === ".csv" ? "," : extension === ".tsv" || extension === ".tab" ? "	" : void 0;
  const table = delimiter ? createTableScanner(file, delimiter, rules, declaration) : void 0;
  const found = [];
  const perRule = /* @__PURE__ */ new Map();
  const dropped = /* @__PURE__ */ new Map();
  const minDf = rules["residual-dof"].threshold ?? 10;
  let birthColumn = false;
  const scanLine = (text, line) => {
    for (const f of scanLineForIdentifiers(text, { birthColumn: birthColumn && line > 1 })) {
      const n = (perRule.get(f.rule) ?? 0) + 1;
      perRule.set(f.rule, n);
      if (n <= MAX_FINDINGS_PER_RULE) found.push({ ...f, file, line, basis: "inferred" });
      else dropped.set(f.rule, (dropped.get(f.rule) ?? 0) + 1);
    }
    if (text.includes("degrees of freedom") || text.includes("Df Residuals")) {
      const m = RESIDUAL_DF.exec(text);
      const df = m ? Number(m[1] ?? m[2]) : void 0;
      if (df !== void 0 && df < minDf) {
        found.push({
          rule: "residual-dof",
          file,
          line,
          column: (m?.index ?? 0) + 1,
          basis: "inferred",
          message: `a model reported with ${df} residual degrees of freedom, below ${minDf}`,
          advice: "fit the model on more observations or fewer parameters, or do not release it"
        });
      }
    }
  };
  const { sha256 } = await readLines(
    absolutePath,
    {
      onBlock(block, firstLine, starts) {
        if (table) {
          for (let i = 0; i < starts.length; i += 1) {
            const headers = table.addLine(lineAt(block, starts, i), firstLine + i);
            if (headers && firstLine + i === 1) birthColumn = headers.some((h) => BIRTH_HEADER.test(h));
          }
        }
        const lines = birthColumn ? starts.map((_, i) => i) : candidateLines(block, starts);
        for (const i of lines) scanLine(lineAt(block, starts, i), firstLine + i);
      },
      onLine(text, line) {
        table?.addLine(text, line);
        scanLine(text, line);
      },
      sieveJob: () => birthColumn ? void 0 : table ? table.sieveJob() : PLAIN_TEXT
    },
    read
  );
  const tableResult = table?.finish();
  const findings = [...found, ...tableResult?.findings ?? []];
  if (extension === ".ipynb") {
    const { size } = statSync(absolutePath);
    if (size <= MAX_NOTEBOOK_BYTES) {
      const text = read.contents ? Buffer.from(read.contents).toString("utf8") : readFileSync(absolutePath, "utf8");
      findings.push(...scanNotebook(text, file));
    }
  }
  const result = { findings: capPerRule(findings, dropped), sha256 };
  if (tableResult?.summary) result.table = tableResult.summary;
  return result;
}
var whole = (file) => ({ file, line: 0, column: 0, basis: "inferred" });
async function scanOutputFile(absolutePath, file, rules, declaration, options = {}) {
  const findings = [];
  const { size } = statSync(absolutePath);
  const maxBytes = rules["file-too-large"].threshold ?? Number.POSITIVE_INFINITY;
  if (size > maxBytes) {
    findings.push({
      ...whole(file),
      rule: "file-too-large",
      message: `${size} bytes is over the review limit of ${maxBytes} bytes: reviewers cannot examine it in full`,
      advice: "split it, aggregate it, or agree with the reviewers how they will examine it"
    });
  }
  const contents = size <= WHOLE_FILE_BYTES ? readFileSync(absolutePath) : void 0;
  const head = contents ? contents.subarray(0, HEAD_BYTES) : readHead(absolutePath);
  const digest = () => contents ? createHash2("sha256").update(contents).digest("hex") : hashFileSync(absolutePath).sha256;
  const archive = detectArchive(head);
  if (archive) {
    findings.push({
      ...whole(file),
      rule: "archive",
      message: `a ${archive} archive inside an output hides its files from review`,
      advice: "list the files themselves instead of the archive"
    });
    return { findings, sha256: digest() };
  }
  if (looksBinary(head)) {
    if (imageHasGps(head)) {
      findings.push({
        ...whole(file),
        rule: "image-gps",
        message: "image metadata (EXIF) holds a GPS position",
        advice: "strip the metadata before egress (e.g. exiftool -all= <file>)"
      });
    }
    return { findings, sha256: digest() };
  }
  const choice = options.sieve ?? "auto";
  const own = choice === "auto" && !contents ? size >= POOL_BYTES ? createSievePool() : createLocalSieve() : void 0;
  const sieve = typeof choice === "object" ? choice : own;
  try {
    const read = { ...contents ? { contents } : {}, ...sieve ? { sieve } : {} };
    const text = await scanText(absolutePath, file, rules, declaration, read);
    return { ...text, findings: [...findings, ...text.findings] };
  } finally {
    await own?.close();
  }
}

// action/src/policy/disclosure-rules.ts
var disclosureRuleIds = [
  "small-cell",
  "zero-cell",
  "missing-cell",
  "unrounded-count",
  "magnitude-contributors",
  "p-percent",
  "nk-dominance",
  "differencing",
  "residual-dof",
  "declaration-mismatch",
  "identifier-column",
  "email-address",
  "phone-number",
  "uk-postcode",
  "nhs-number",
  "date-of-birth",
  "precise-date",
  "precise-coordinates",
  "ip-address",
  "free-text",
  "notebook-output",
  "image-gps",
  "file-too-large",
  "archive",
  "unmatched-acknowledgement"
];
function ruleDefaults(policy) {
  const min = policy.disclosure.minCellCount;
  return {
    "small-cell": { threshold: min },
    "magnitude-contributors": { threshold: min },
    "p-percent": { threshold: 10 },
    "nk-dominance": { threshold: 90, n: 2 },
    differencing: { threshold: min },
    "residual-dof": { threshold: 10 },
    "free-text": { threshold: 50 },
    "file-too-large": { threshold: policy.disclosure.maxFileBytes }
  };
}
function resolveDisclosureRules(policy) {
  const defaults = ruleDefaults(policy);
  const configured = policy.disclosure.rules ?? {};
  const out = {};
  for (const id of disclosureRuleIds) {
    const d = defaults[id] ?? {};
    const c = configured[id] ?? {};
    const rule = {
      enabled: c.enabled ?? true,
      severity: c.severity ?? "advice",
      acknowledgeable: c.acknowledgeable ?? true
    };
    const threshold = c.threshold ?? d.threshold;
    if (threshold !== void 0) rule.threshold = threshold;
    const n = c.n ?? d.n;
    if (n !== void 0) rule.n = n;
    out[id] = rule;
  }
  return out;
}
function checkBlockingFindings(collection, facts) {
  const rules = resolveDisclosureRules(facts.policy);
  if (facts.findings === void 0) return notScanned(rules, facts.policy.name);
  const mine = facts.findings.filter((f) => f.collection === collection.name);
  const blocking = mine.filter((f) => {
    const rule = rules[f.rule];
    if (!rule?.enabled || rule.severity !== "blocking") return false;
    return !(f.acknowledged && rule.acknowledgeable);
  });
  const byRule = /* @__PURE__ */ new Map();
  for (const f of blocking) byRule.set(f.rule, [...byRule.get(f.rule) ?? [], f]);
  return [...byRule.entries()].map(([rule, found]) => {
    const first = found[0];
    const where = first.line > 0 ? `${first.file}:${first.line}:${first.column}` : first.file;
    const more = found.length > 1 ? ` (and ${found.length - 1} more)` : "";
    const ack = rules[rule]?.acknowledgeable ? ", or acknowledge it in the manifest with a reason" : "";
    return `disclosure rule '${rule}' is blocking in policy ${facts.policy.name}: ${where}: ${first.message}${more}; what to do: ${first.advice}${ack}`;
  });
}
function blockingRuleIds(rules) {
  return disclosureRuleIds.filter((id) => rules[id].enabled && rules[id].severity === "blocking");
}
function notScanned(rules, policyName) {
  const blocking = blockingRuleIds(rules);
  if (blocking.length === 0) return [];
  const named = blocking.map((id) => `'${id}'`).join(", ");
  const makes = blocking.length === 1 ? `rule ${named}` : `rules ${named}`;
  return [
    `policy ${policyName} makes ${makes} blocking, and the outputs were not scanned here: what to do: run the check where the outputs are (set 'outputs-root' for the review, or run 'egress-gate evaluate' without --skip-pins in the checkout that has them)`
  ];
}

// action/src/app/scan-request.ts
async function scanRequestOutputs(manifest, outputsDir, policy, options = {}) {
  const rules = resolveDisclosureRules(policy);
  const root = await resolveOutputsRoot(outputsDir);
  const resolver = options.outputs?.root === root ? options.outputs : createOutputsResolver(root);
  const results = new Map(
    manifest.collections.map((c) => [c.name, { collection: c.name, findings: [], unreadable: [] }])
  );
  const plan = [];
  for (const [c, collection] of manifest.collections.entries()) {
    for (const [i, item] of collection.items.entries()) {
      const plain = resolver.plainPath(item.path);
      const resolved = plain ? { ok: true, files: [{ path: item.path, absolutePath: plain }] } : await resolver.resolve(item.path);
      const pointer = `/collections/${c}/items/${i}`;
      if (!resolved.ok) {
        results.get(collection.name)?.unreadable.push({ path: item.path, message: resolved.message });
        continue;
      }
      for (const file of resolved.files) {
        plan.push({
          collection: collection.name,
          ...file,
          pointer,
          ...item.table ? { table: item.table } : {}
        });
      }
    }
  }
  const unique = /* @__PURE__ */ new Map();
  for (const p of plan) {
    const known = unique.get(p.path);
    if (!known) unique.set(p.path, { absolutePath: p.absolutePath, ...p.table ? { table: p.table } : {} });
    else if (!known.table && p.table) known.table = p.table;
  }
  const scanned = /* @__PURE__ */ new Map();
  let done = 0;
  for (const [path, { absolutePath, table }] of unique) {
    const file = await scanOutputFile(absolutePath, path, rules, table);
    scanned.set(path, file);
    options.onScanned?.(absolutePath, file.sha256);
    done += 1;
    options.onProgress?.(done, unique.size);
  }
  const tables = [...scanned.values()].flatMap((s) => s.table ? [s.table] : []);
  const differencing = rules.differencing.enabled ? findDifferencing(tables, rules.differencing.threshold ?? 10) : [];
  const raw = new Map([...scanned].map(([path, s]) => [path, [...s.findings]]));
  for (const f of differencing) raw.get(f.file)?.push(f);
  const settings = { rules };
  const acks = manifest.acknowledged ?? [];
  const all = [...raw.values()].flatMap((list) => settle(list, settings));
  const { findings, unmatched } = applyAcknowledgements(all, acks);
  const byFile = /* @__PURE__ */ new Map();
  for (const f of findings) {
    const list = byFile.get(f.file);
    if (list) list.push(f);
    else byFile.set(f.file, [f]);
  }
  const at = (pointer) => options.document ? { manifest: locate(options.document, pointer) } : {};
  const placed = /* @__PURE__ */ new Set();
  for (const p of plan) {
    const key = `${p.collection}\0${p.path}`;
    if (placed.has(key)) continue;
    placed.add(key);
    results.get(p.collection)?.findings.push(...(byFile.get(p.path) ?? []).map((f) => ({ ...f, ...at(p.pointer) })));
  }
  if (rules["unmatched-acknowledgement"].enabled) {
    for (const i of unmatched) {
      const ack = acks[i];
      const finding = {
        rule: "unmatched-acknowledgement",
        severity: rules["unmatched-acknowledgement"].severity,
        file: ack.file,
        line: ack.line ?? 0,
        column: ack.line ? 1 : 0,
        ...ack.cell ? { cell: ack.cell } : {},
        basis: "declared",
        message: `the acknowledgement of '${ack.rule}'${ack.line ? ` at line ${ack.line}` : ""}${ack.cell ? ` at cell ${ack.cell}` : ""} matches no finding`,
        advice: "remove it from the manifest, or correct its rule, file, line or cell",
        ...at(`/acknowledged/${i}`)
      };
      const owners = plan.filter((p) => p.path === ack.file).map((p) => p.collection);
      const targets = owners.length > 0 ? [...new Set(owners)] : [...results.keys()];
      for (const name of targets) results.get(name)?.findings.push(finding);
    }
  }
  return [...results.values()];
}
function findingsCanBlock(policy) {
  return blockingRuleIds(resolveDisclosureRules(policy)).length > 0;
}
function disclosureFacts(collections) {
  return collections.flatMap(
    (c) => c.findings.map((f) => ({
      collection: c.collection,
      rule: f.rule,
      file: f.file,
      line: f.line,
      column: f.column,
      message: f.message,
      advice: f.advice,
      acknowledged: f.acknowledged !== void 0
    }))
  );
}

export {
  checkBlockingFindings,
  scanRequestOutputs,
  findingsCanBlock,
  disclosureFacts
};
