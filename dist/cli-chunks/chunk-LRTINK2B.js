#!/usr/bin/env node
import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  evaluatePolicy,
  roleTitle,
  sameCommit
} from "./chunk-HZHVPSEG.js";
import {
  disclosureFacts,
  findingsCanBlock,
  scanRequestOutputs
} from "./chunk-GA5RL33M.js";
import {
  createMessage,
  createOutputsResolver,
  decryptKey,
  describeUnsafeItemPath,
  diagnosticAt,
  encrypt,
  encryptSessionKey,
  enums,
  generateSessionKey,
  hasErrors,
  isInsideRoot,
  readKeys,
  readPrivateKey,
  readSignature,
  resolveItem,
  resolveOutputsRoot,
  sign,
  sortDiagnostics,
  validateRequest,
  verify
} from "./chunk-MFV4Z2EZ.js";
import {
  EgressError
} from "./chunk-7N3PT735.js";

// action/src/crypto/keys.ts
var ARMOR_BLOCK = /-----BEGIN PGP (?:PUBLIC|PRIVATE) KEY BLOCK-----[\s\S]*?-----END PGP (?:PUBLIC|PRIVATE) KEY BLOCK-----/g;
function formatFingerprint(key) {
  return key.getFingerprint().toUpperCase();
}
async function readPublicKeys(source, where) {
  let keys = [];
  try {
    if (typeof source === "string" && source.includes("-----BEGIN PGP")) {
      for (const block of source.match(ARMOR_BLOCK) ?? [source]) {
        keys.push(...await readKeys({ armoredKeys: block }));
      }
    } else {
      keys = await readKeys({ binaryKeys: toBytes(source) });
    }
  } catch (error) {
    throw new EgressError("INPUT", `${where}: not an OpenPGP public key (${describeOpenpgp(error)}).`, {
      cause: error
    });
  }
  if (keys.length === 0) throw new EgressError("INPUT", `${where}: holds no OpenPGP key.`);
  return keys.map((key) => key.toPublic());
}
async function readSecretKey(source, where, passphrase) {
  let key;
  try {
    key = typeof source === "string" && source.includes("-----BEGIN PGP") ? await readPrivateKey({ armoredKey: source }) : await readPrivateKey({ binaryKey: toBytes(source) });
  } catch (error) {
    throw new EgressError(
      "INPUT",
      `${where}: not an OpenPGP secret key (${describeOpenpgp(error)}). Export it with 'gpg --export-secret-keys --armor <fingerprint>'.`,
      { cause: error }
    );
  }
  if (key.isDecrypted()) return key;
  if (passphrase === void 0) {
    throw new EgressError(
      "INPUT",
      `${where}: the secret key ${formatFingerprint(key)} is protected by a passphrase; pass --passphrase-file <file>.`
    );
  }
  try {
    return await decryptKey({ privateKey: key, passphrase });
  } catch (error) {
    throw new EgressError(
      "INPUT",
      `${where}: the passphrase does not unlock the secret key ${formatFingerprint(key)}.`,
      { cause: error }
    );
  }
}
function describeEncryptionFormat(keys) {
  return keys.length > 0 && keys.every((key) => key.keyPacket.version === 6 || advertisesSeipdv2(key)) ? "SEIPDv2" : "SEIPDv1";
}
function advertisesSeipdv2(key) {
  const features = key.users.flatMap((user) => user.selfCertifications.map((sig) => sig.features?.[0] ?? 0));
  return features.length > 0 && features.every((bits) => (bits & 8) !== 0);
}
function toBytes(source) {
  return typeof source === "string" ? new TextEncoder().encode(source) : source;
}
function describeOpenpgp(error) {
  const message = error instanceof Error ? error.message : String(error);
  return message.split("\n")[0] ?? message;
}

// action/src/app/pack-request.ts
import { rm as rm2, rmdir } from "node:fs/promises";

// action/src/pack/package-collection.ts
import { randomBytes as randomBytes2 } from "node:crypto";
import { mkdir, open, rename, rm } from "node:fs/promises";
import path2 from "node:path";

// action/src/crypto/cfb-worker.ts
import { Worker } from "node:worker_threads";
function cfbWorkerMain() {
  const { parentPort, workerData } = process.getBuiltinModule("node:worker_threads");
  const crypto = process.getBuiltinModule("node:crypto");
  const port = parentPort;
  const cipher = crypto.createCipheriv("aes-256-cfb", workerData.key, new Uint8Array(16));
  let busy = 0;
  const STEP = 512 * 1024;
  const detach = ArrayBuffer.prototype.transfer;
  let collect;
  if (!detach) {
    process.getBuiltinModule("node:v8").setFlagsFromString("--expose-gc");
    collect = process.getBuiltinModule("node:vm").runInNewContext("gc");
  }
  let messages = 0;
  const release = (output) => {
    const buffer = output.buffer;
    if (detach && buffer.byteLength > 8192 && output.byteLength === buffer.byteLength) detach.call(buffer, 0);
  };
  const transferable = (views) => {
    const list = /* @__PURE__ */ new Set();
    for (const view of views) if (view.buffer.byteLength > 8192) list.add(view.buffer);
    return [...list];
  };
  port.on(
    "message",
    (message) => {
      const started = performance.now();
      if (message.type === "data") {
        const pieces = message.pieces;
        for (const piece of pieces) {
          for (let at = 0; at < piece.length; at += STEP) {
            const step = piece.subarray(at, Math.min(at + STEP, piece.length));
            const output = cipher.update(step);
            step.set(output);
            release(output);
          }
        }
        if (collect && ++messages % 8 === 0) collect({ type: "minor" });
        busy += performance.now() - started;
        port.postMessage({ type: "data", id: message.id, ciphertext: pieces }, transferable(pieces));
        return;
      }
      const ciphertext = [
        cipher.update(Uint8Array.of(211, 20)),
        cipher.update(message.mdc),
        cipher.final()
      ];
      busy += performance.now() - started;
      port.postMessage({ type: "end", id: message.id, ciphertext, busyMs: busy });
    }
  );
}
function startCfbWorker(key) {
  if (key.length !== 32) throw new EgressError("INTERNAL", "AES-256 needs a 32-byte session key.");
  const worker = new Worker(`(${cfbWorkerMain.toString()})()`, { eval: true, workerData: { key } });
  const pending = /* @__PURE__ */ new Map();
  let nextId = 0;
  let failure;
  const failAll = (error) => {
    failure ??= error;
    for (const waiter of pending.values()) waiter.reject(failure);
    pending.clear();
  };
  worker.on("message", (reply) => {
    const waiter = pending.get(reply.id);
    pending.delete(reply.id);
    waiter?.resolve(reply);
  });
  worker.on(
    "error",
    (error) => failAll(new EgressError("INTERNAL", `The encryption thread failed: ${error.message}`, { cause: error }))
  );
  worker.on("exit", (code) => {
    if (pending.size > 0)
      failAll(new EgressError("INTERNAL", `The encryption thread stopped (exit ${code}).`));
  });
  const send = (type, pieces, mdc) => new Promise((resolve, reject) => {
    if (failure !== void 0) {
      reject(failure);
      return;
    }
    const id = nextId++;
    pending.set(id, { resolve, reject });
    const transfer = /* @__PURE__ */ new Set();
    for (const piece of pieces ?? [])
      if (piece.buffer.byteLength > 8192) transfer.add(piece.buffer);
    worker.postMessage({ type, id, pieces, mdc }, [...transfer]);
  });
  return {
    async encrypt(pieces) {
      const reply = await send("data", pieces);
      if (reply.type !== "data")
        throw new EgressError("INTERNAL", "The encryption thread answered out of turn.");
      return reply.ciphertext;
    },
    async finish(mdc) {
      const reply = await send("end", void 0, mdc);
      if (reply.type !== "end")
        throw new EgressError("INTERNAL", "The encryption thread answered out of turn.");
      return { ciphertext: reply.ciphertext, busyMs: reply.busyMs };
    },
    async close() {
      await worker.terminate();
    }
  };
}

// action/src/crypto/encrypt.ts
import { randomBytes } from "node:crypto";

// action/src/crypto/packet-framing.ts
var PART_BYTES = 1 << 20;
var PARTIAL_2_20 = 224 | 20;
function encodeLength(length) {
  if (length < 192) return Uint8Array.of(length);
  if (length < 8384) {
    const rest = length - 192;
    return Uint8Array.of((rest >> 8) + 192, rest & 255);
  }
  return Uint8Array.of(
    255,
    length >>> 24 & 255,
    length >>> 16 & 255,
    length >>> 8 & 255,
    length & 255
  );
}
function framingOverhead(bodyLength) {
  const fullParts = Math.floor(bodyLength / PART_BYTES);
  return fullParts + encodeLength(bodyLength - fullParts * PART_BYTES).length;
}
function createPacketFramer(tag, bodyLength) {
  let written = 0;
  let partLeft = 0;
  let finalPart = false;
  let started = false;
  const header = () => {
    const left = bodyLength - written;
    if (left < PART_BYTES) {
      finalPart = true;
      partLeft = left;
      return encodeLength(left);
    }
    partLeft = PART_BYTES;
    return Uint8Array.of(PARTIAL_2_20);
  };
  const open2 = (pieces) => {
    if (started) return;
    started = true;
    pieces.push(Uint8Array.of(192 | tag), header());
  };
  return {
    frame(bytes) {
      const pieces = [];
      open2(pieces);
      let offset = 0;
      while (offset < bytes.length) {
        if (partLeft === 0) {
          if (finalPart) throw new RangeError(`packet body longer than the ${bodyLength} bytes announced`);
          pieces.push(header());
          continue;
        }
        const take = Math.min(partLeft, bytes.length - offset);
        pieces.push(offset === 0 && take === bytes.length ? bytes : bytes.subarray(offset, offset + take));
        offset += take;
        partLeft -= take;
        written += take;
      }
      return pieces;
    },
    end() {
      const pieces = [];
      open2(pieces);
      if (!finalPart && partLeft === 0) pieces.push(header());
      if (written !== bodyLength || partLeft !== 0 || !finalPart) {
        throw new RangeError(`packet body of ${written} bytes, ${bodyLength} announced`);
      }
      return pieces;
    }
  };
}
function encodeLiteralHeader(filename, date) {
  const name = new TextEncoder().encode(filename);
  if (name.length > 255) throw new RangeError("literal file name longer than 255 bytes");
  const seconds = Math.max(0, Math.floor(date.getTime() / 1e3)) >>> 0;
  const out = new Uint8Array(2 + name.length + 4);
  out[0] = 98;
  out[1] = name.length;
  out.set(name, 2);
  new DataView(out.buffer).setUint32(2 + name.length, seconds);
  return out;
}
var TAG_LITERAL = 11;
var TAG_SEIPD = 18;
var MDC_HEADER = Uint8Array.of(211, 20);
var MDC_PACKET_BYTES = 22;
var PREFIX_BYTES = 18;

// action/src/crypto/encrypt.ts
var openpgpConfig = {
  preferredCompressionAlgorithm: enums.compression.uncompressed,
  aeadProtect: false
};
async function encryptStream(options) {
  requireSomeRecipient(options.encryptionKeys, options.passwords);
  try {
    const message = await createMessage({
      binary: options.plaintext,
      filename: options.filename,
      date: options.date,
      format: "binary"
    });
    const encrypted = await encrypt({
      message,
      encryptionKeys: options.encryptionKeys,
      ...options.signingKey ? { signingKeys: options.signingKey } : {},
      ...options.passwords?.length ? { passwords: options.passwords } : {},
      format: "binary",
      config: openpgpConfig
    });
    return encrypted;
  } catch (error) {
    throw new EgressError("INTEGRITY", `Cannot encrypt the package: ${describeOpenpgp(error)}.`, {
      cause: error
    });
  }
}
async function prepareOwnSeipd(encryptionKeys, passwords, date) {
  requireSomeRecipient(encryptionKeys, passwords);
  if (encryptionKeys.length === 0) return void 0;
  if (encryptionKeys.some((key) => key.keyPacket.version !== 4)) return void 0;
  if (describeEncryptionFormat(encryptionKeys) !== "SEIPDv1") return void 0;
  try {
    const sessionKey = await generateSessionKey({ encryptionKeys, date, config: openpgpConfig });
    if (sessionKey.algorithm !== "aes256" || sessionKey.aeadAlgorithm !== void 0) return void 0;
    if (sessionKey.data.length !== 32) return void 0;
    const sessionKeyPackets = await encryptSessionKey({
      data: sessionKey.data,
      algorithm: sessionKey.algorithm,
      encryptionKeys,
      ...passwords?.length ? { passwords } : {},
      date,
      format: "binary",
      config: openpgpConfig
    });
    return { sessionKeyPackets, sessionKey: sessionKey.data };
  } catch (error) {
    throw new EgressError("INTEGRITY", `Cannot encrypt the package: ${describeOpenpgp(error)}.`, {
      cause: error
    });
  }
}
function createSeipdFraming(options) {
  const literalHeader = encodeLiteralHeader(options.filename, options.date);
  const literalBody = literalHeader.length + options.dataBytes;
  const literalPacket = 1 + framingOverhead(literalBody) + literalBody;
  const seipdBody = 1 + PREFIX_BYTES + literalPacket + MDC_PACKET_BYTES;
  const literal = createPacketFramer(TAG_LITERAL, literalBody);
  const seipd = createPacketFramer(TAG_SEIPD, seipdBody);
  return {
    openPlaintext() {
      const prefix = randomBytes(PREFIX_BYTES);
      prefix[16] = prefix[14];
      prefix[17] = prefix[15];
      return [new Uint8Array(prefix), ...literal.frame(literalHeader)];
    },
    framePlaintext: (data) => literal.frame(data),
    endPlaintext: () => literal.end(),
    openCiphertext: () => seipd.frame(Uint8Array.of(1)),
    frameCiphertext: (data) => seipd.frame(data),
    endCiphertext: () => seipd.end()
  };
}
function requireSomeRecipient(keys, passwords) {
  if (keys.length === 0 && !passwords?.length) {
    throw new EgressError(
      "CONFIG",
      "No recipient key and no passphrase: the package would not be encrypted."
    );
  }
}

// action/src/crypto/seipd-encrypt.ts
import { createHash } from "node:crypto";
import { writeSync, writev } from "node:fs";
var CREDITS = 4;
var WRITES_QUEUED = 2;
async function encryptChunksOwnSeipd(input) {
  const { chunks, worker, sink } = input;
  try {
    await encrypt2(input, chunks, worker, sink);
  } finally {
    await sink.settle().catch(() => void 0);
  }
}
async function encrypt2(input, chunks, worker, sink) {
  const framing = createSeipdFraming({
    dataBytes: input.dataBytes,
    filename: input.filename,
    date: input.date
  });
  const inFlight = [];
  const writes = [];
  let produce = 0;
  let write = 0;
  let wait = 0;
  let waitWrite = 0;
  let encrypting = false;
  const take = async () => {
    const started = performance.now();
    const ciphertext = await inFlight.shift();
    if (!encrypting) {
      encrypting = true;
      input.onEncrypting?.();
    }
    const got = performance.now();
    wait += got - started;
    const pieces = [];
    for (const piece of ciphertext) pieces.push(...framing.frameCiphertext(piece));
    const written = sink.writeAsync(pieces).then(() => {
      if (!input.recycle) return;
      const seen = /* @__PURE__ */ new Set();
      for (const piece of ciphertext) {
        if (seen.has(piece.buffer)) continue;
        seen.add(piece.buffer);
        input.recycle(piece);
      }
    });
    written.catch(() => void 0);
    writes.push(written);
    const hashed = performance.now();
    write += hashed - got;
    while (writes.length > WRITES_QUEUED) await writes.shift();
    waitWrite += performance.now() - hashed;
  };
  const mdc = createHash("sha1");
  let hashing = 0;
  const send = (pieces) => {
    const started = performance.now();
    for (const piece of pieces) mdc.update(piece);
    hashing += performance.now() - started;
    const pending = worker.encrypt(pieces);
    pending.catch(() => void 0);
    inFlight.push(pending);
  };
  sink.writeAsync([input.own.sessionKeyPackets, ...framing.openCiphertext()]).catch(() => void 0);
  let opening = framing.openPlaintext();
  let plaintextBytes = 0;
  for (; ; ) {
    const started = performance.now();
    const next = chunks.next();
    produce += performance.now() - started;
    if (next.done) break;
    plaintextBytes += next.value.length;
    input.progress?.(plaintextBytes);
    send([...opening, ...framing.framePlaintext(next.value)]);
    opening = [];
    if (inFlight.length >= CREDITS) await take();
    else if (writes.length > 0) await new Promise((resolve) => setImmediate(resolve));
  }
  send([...opening, ...framing.endPlaintext()]);
  while (inFlight.length > 0) await take();
  mdc.update(MDC_HEADER);
  const tail = await worker.finish(mdc.digest());
  const last = [];
  for (const piece of tail.ciphertext) last.push(...framing.frameCiphertext(piece));
  last.push(...framing.endCiphertext());
  sink.writeAsync(last).catch(() => void 0);
  const settling = performance.now();
  await sink.settle();
  waitWrite += performance.now() - settling;
  if (input.stages) {
    input.stages["plaintext chunks (main thread)"] = produce;
    input.stages["MDC SHA-1 (main thread)"] = hashing;
    input.stages["AES-256-CFB (encryption thread, busy)"] = tail.busyMs;
    input.stages["SEIPD framing + package SHA-256 (main thread)"] = write;
    input.stages["main thread waiting for the encryption thread"] = wait;
    input.stages["main thread waiting for writes"] = waitWrite;
    input.stages["write (libuv pool, overlaps the others)"] = sink.writeMs();
  }
}
function createAsyncFileSink(fd) {
  const hash = createHash("sha256");
  let digest;
  let queuedBytes = 0;
  let writtenBytes = 0;
  let writing = 0;
  let busy = false;
  let failure;
  const queued = [];
  const waiters = [];
  const waitFor = (end) => new Promise((resolve, reject) => {
    if (failure !== void 0) reject(failure);
    else if (end <= writtenBytes) resolve();
    else waiters.push({ end, resolve, reject });
  });
  const pump = () => {
    if (busy || failure !== void 0 || queued.length === 0) return;
    busy = true;
    const views = queued.splice(0, 1024);
    const started = performance.now();
    writev(fd, views, null, (error, bytes) => {
      writing += performance.now() - started;
      busy = false;
      if (error) {
        failure = error;
        for (const waiter of waiters.splice(0)) waiter.reject(error);
        return;
      }
      writtenBytes += bytes;
      let skip = bytes;
      const rest = [];
      for (const view of views) {
        if (skip >= view.length) skip -= view.length;
        else {
          rest.push(skip > 0 ? view.subarray(skip) : view);
          skip = 0;
        }
      }
      queued.unshift(...rest);
      while (waiters.length > 0 && waiters[0].end <= writtenBytes) waiters.shift().resolve();
      pump();
    });
  };
  return {
    writeAsync(pieces) {
      for (const piece of pieces) {
        if (piece.length === 0) continue;
        hash.update(piece);
        queuedBytes += piece.length;
        queued.push(piece);
      }
      const written = waitFor(queuedBytes);
      pump();
      return written;
    },
    // No write is running once every byte is written, or once one has failed.
    settle: () => waitFor(queuedBytes),
    sha256() {
      digest ??= hash.digest("hex");
      return digest;
    },
    size: () => queuedBytes,
    writeMs: () => writing
  };
}
function createFileSink(fd) {
  const hash = createHash("sha256");
  let size = 0;
  let digest;
  return {
    write(pieces) {
      for (const piece of pieces) {
        if (piece.length === 0) continue;
        hash.update(piece);
        size += piece.length;
        let offset = 0;
        while (offset < piece.length) offset += writeSync(fd, piece, offset, piece.length - offset);
      }
    },
    sha256() {
      digest ??= hash.digest("hex");
      return digest;
    },
    size: () => size
  };
}

// action/src/crypto/sign-detached.ts
async function signDetached(bytes, signingKey, date) {
  try {
    const signingSubkey = await signingKey.getSigningKey(void 0, /* @__PURE__ */ new Date());
    const created = signingSubkey.getCreationTime();
    const when = created.getTime() > date.getTime() ? created : date;
    const message = await createMessage({ binary: bytes });
    const armored = await sign({
      message,
      signingKeys: signingKey,
      detached: true,
      format: "armored",
      date: when,
      config: { nonDeterministicSignaturesViaNotation: false }
    });
    return new TextEncoder().encode(armored);
  } catch (error) {
    throw new EgressError(
      "INPUT",
      `The egress signing key ${formatFingerprint(signingKey)} cannot sign: ${describeOpenpgp(error)}.`,
      { cause: error }
    );
  }
}
async function verifyDetached(bytes, armoredSignature, signerKeys) {
  const signature = await readSignature({ armoredSignature });
  const issuers = signature.getSigningKeyIDs();
  const known = signerKeys.some((key) => key.getKeyIDs().some((id) => issuers.some((i) => i.equals(id))));
  if (!known) {
    const expected = signerKeys.map(formatFingerprint).join(", ");
    const ids = issuers.map((id) => id.toHex().toUpperCase()).join(", ") || "unknown";
    throw new Error(`signed by key ID ${ids}, which is not the egress signer ${expected}`);
  }
  const message = await createMessage({ binary: bytes });
  const result = await verify({
    message,
    signature,
    verificationKeys: signerKeys,
    expectSigned: true
  });
  const first = result.signatures[0];
  const signer = signerKeys.find((key) => key.getKeyIDs().some((id) => id.equals(first.keyID)));
  const made = await first.signature;
  const signedAt = made.packets[0]?.created ?? void 0;
  return { signer: formatFingerprint(signer), ...signedAt ? { signedAt } : {} };
}

// action/src/shared/young-generation.ts
import { setFlagsFromString } from "node:v8";
function keepYoungGenerationSmall() {
  setFlagsFromString("--semi-space-growth-factor=1");
}

// action/src/pack/archive.ts
import { createHash as createHash2, hash as hashOnce } from "node:crypto";
import { closeSync, constants, fstatSync, openSync, readSync, realpathSync } from "node:fs";
import path from "node:path";

// action/src/pack/chunk.ts
var DEFAULT_CHUNK_BYTES = 1 << 20;
function createChunkQueue(chunkBytes = DEFAULT_CHUNK_BYTES) {
  const free = [];
  const fresh = () => free.pop() ?? Buffer.allocUnsafeSlow(chunkBytes);
  let current = fresh();
  let used = 0;
  const full = [];
  const rotate = () => {
    if (used < chunkBytes) return;
    full.push(current);
    current = fresh();
    used = 0;
  };
  return {
    put(bytes) {
      let offset = 0;
      while (offset < bytes.length) {
        const count = Math.min(bytes.length - offset, chunkBytes - used);
        current.set(bytes.subarray(offset, offset + count), used);
        used += count;
        offset += count;
        rotate();
      }
    },
    space() {
      return current.subarray(used);
    },
    commit(count) {
      used += count;
      rotate();
    },
    *drain() {
      while (full.length > 0) yield full.shift();
    },
    ready: () => full.length,
    take: () => full.shift(),
    flush() {
      if (used === 0) return void 0;
      const last = current.subarray(0, used);
      current = fresh();
      used = 0;
      return last;
    },
    recycle(chunk) {
      if (chunk.buffer.byteLength !== chunkBytes || free.length >= 8) return;
      if (chunk.buffer === current.buffer || free.some((f) => f.buffer === chunk.buffer)) return;
      free.push(new Uint8Array(chunk.buffer, 0, chunkBytes));
    }
  };
}

// action/src/pack/tar-header.ts
var BLOCK = 512;
var MAX_USTAR_SIZE = 8589934591;
var encoder = new TextEncoder();
function encodeFileHeader(entry) {
  const split = isAscii(entry.path) ? splitUstarName(entry.path) : void 0;
  const fitsUstar = split !== void 0;
  const bigSize = entry.size > MAX_USTAR_SIZE;
  if (split && !bigSize) return encodeUstar(split.name, entry.size, entry.mtime, "0", split.prefix);
  const records = [];
  if (!fitsUstar) records.push(paxRecord("path", entry.path));
  if (bigSize) records.push(paxRecord("size", String(entry.size)));
  const body = encoder.encode(records.join(""));
  const baseName = entry.path.slice(entry.path.lastIndexOf("/") + 1);
  const paxName = encoder.encode(`PaxHeaders/${asciiOnly(baseName)}`.slice(0, 100));
  const parts = [
    encodeUstar(paxName, body.length, entry.mtime, "x"),
    padToBlock(body),
    // Readers that ignore pax see a plain file named after the base name, never a directory.
    encodeUstar(
      split?.name ?? encoder.encode(asciiOnly(baseName).slice(-100) || "file"),
      bigSize ? 0 : entry.size,
      entry.mtime,
      "0",
      split?.prefix
    )
  ];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
function fileHeaderLength(entry) {
  if (entry.size <= MAX_USTAR_SIZE && entry.path.length <= 100 && isAscii(entry.path)) return BLOCK;
  if (entry.size <= MAX_USTAR_SIZE && isAscii(entry.path) && splitUstarName(entry.path)) return BLOCK;
  return encodeFileHeader(entry).length;
}
function createHeaderWriter(mtime) {
  const template = encodeUstar(new Uint8Array(0), 0, mtime, "0");
  template.fill(0, 124, 136);
  template.fill(32, 148, 156);
  let templateSum = 0;
  for (const byte of template) templateSum += byte;
  const block = new Uint8Array(BLOCK);
  return (entry) => {
    const { path: path4, size } = entry;
    if (size > MAX_USTAR_SIZE || entry.mtime !== mtime || !isAscii(path4)) return encodeFileHeader(entry);
    let nameStart = 0;
    if (path4.length > 100) {
      const split = splitUstarName(path4);
      if (!split) return encodeFileHeader(entry);
      nameStart = split.prefix.length + 1;
    }
    block.set(template);
    let sum = templateSum;
    const write = (text, from, to, offset) => {
      for (let i = from; i < to; i += 1) {
        const code = text.charCodeAt(i);
        block[offset + i - from] = code;
        sum += code;
      }
    };
    write(path4, nameStart, path4.length, 0);
    if (nameStart > 0) write(path4, 0, nameStart - 1, 345);
    sum += writeOctalDigits(block, 124, 11, size);
    writeOctalDigits(block, 148, 6, sum);
    block[154] = 0;
    block[155] = 32;
    return block;
  };
}
function paddingFor(size) {
  const rest = size % BLOCK;
  return new Uint8Array(rest === 0 ? 0 : BLOCK - rest);
}
function encodeEnd() {
  return new Uint8Array(2 * BLOCK);
}
function encodeUstar(name, size, mtime, type, prefix) {
  const block = new Uint8Array(BLOCK);
  block.set(name.subarray(0, 100), 0);
  if (prefix) block.set(prefix.subarray(0, 155), 345);
  writeOctal(block, 100, 8, 420);
  writeOctal(block, 108, 8, 0);
  writeOctal(block, 116, 8, 0);
  writeOctal(block, 124, 12, size);
  writeOctal(block, 136, 12, mtime);
  block.fill(32, 148, 156);
  block[156] = type.charCodeAt(0);
  block.set(encoder.encode("ustar\x0000"), 257);
  writeOctal(block, 329, 8, 0);
  writeOctal(block, 337, 8, 0);
  let sum = 0;
  for (const byte of block) sum += byte;
  const checksum = encoder.encode(`${sum.toString(8).padStart(6, "0")}\0 `);
  block.set(checksum, 148);
  return block;
}
function writeOctalDigits(block, offset, width, value) {
  let rest = value;
  let sum = 0;
  for (let i = offset + width - 1; i >= offset; i -= 1) {
    const digit = 48 + rest % 8;
    block[i] = digit;
    sum += digit;
    rest = Math.floor(rest / 8);
  }
  return sum;
}
function writeOctal(block, offset, width, value) {
  const digits = Math.floor(value).toString(8).padStart(width - 1, "0");
  block.set(encoder.encode(digits), offset);
  block[offset + width - 1] = 0;
}
function paxRecord(key, value) {
  const payload = ` ${key}=${value}
`;
  const bytes = encoder.encode(payload).length;
  let digits = String(bytes).length;
  while (String(bytes + digits).length !== digits) digits += 1;
  return `${bytes + digits}${payload}`;
}
function padToBlock(body) {
  const out = new Uint8Array(body.length + paddingFor(body.length).length);
  out.set(body, 0);
  return out;
}
function isAscii(text) {
  return /^[\x20-\x7e]*$/.test(text);
}
function asciiOnly(text) {
  return text.replace(/[^\x20-\x7e]/g, "_");
}
function splitUstarName(path4) {
  if (path4.length <= 100) return { name: encoder.encode(path4) };
  for (let at = path4.indexOf("/"); at >= 0; at = path4.indexOf("/", at + 1)) {
    if (at <= 155 && path4.length - at - 1 <= 100 && at > 0) {
      return { prefix: encoder.encode(path4.slice(0, at)), name: encoder.encode(path4.slice(at + 1)) };
    }
  }
  return void 0;
}

// action/src/pack/archive.ts
var RECEIPT_NAME = "RECEIPT.json";
var SUMS_NAME = "SHA256SUMS";
var FILES_DIR = "files";
var RECEIPT_SIGNATURE_NAME = "RECEIPT.json.asc";
var SUMS_SIGNATURE_NAME = "SHA256SUMS.asc";
var END_BYTES = 2 * BLOCK;
async function planSignedArchive(options) {
  checkRoot(options.root);
  for (const file of options.receipt.files) checkRelativePath(file.path);
  const receiptBytes = encodeReceipt(options.receipt);
  const receiptSignature = await options.signDetached(receiptBytes);
  const sums = encodeSums(options.receipt, [
    [RECEIPT_NAME, receiptBytes],
    [RECEIPT_SIGNATURE_NAME, receiptSignature]
  ]);
  const sumsSignature = await options.signDetached(sums);
  return layOut(
    options,
    [
      [RECEIPT_NAME, receiptBytes],
      [RECEIPT_SIGNATURE_NAME, receiptSignature],
      [SUMS_NAME, sums],
      [SUMS_SIGNATURE_NAME, sumsSignature]
    ],
    true
  );
}
function encodeReceipt(receipt) {
  return new TextEncoder().encode(`${JSON.stringify(receipt, null, 2)}
`);
}
function encodeSums(receipt, metadata) {
  const sums = [
    ...metadata.map(([name, bytes]) => `${sha256Hex(bytes)}  ${name}`),
    ...receipt.files.map((file) => `${file.sha256}  ${FILES_DIR}/${file.path}`)
  ];
  return new TextEncoder().encode(`${sums.join("\n")}
`);
}
function checkRoot(root) {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(root)) {
    throw new EgressError("INPUT", `'${root}' cannot name a package: use letters, digits, '.', '_' and '-'.`);
  }
}
function layOut(options, metadata, pathsChecked = false) {
  const { root, receipt } = options;
  checkRoot(root);
  if (!pathsChecked) for (const file of receipt.files) checkRelativePath(file.path);
  const entries = [
    ...metadata.map(([name, content]) => ({ archivePath: `${root}/${name}`, content })),
    ...receipt.files.map((file) => ({ archivePath: `${root}/${FILES_DIR}/${file.path}`, file }))
  ];
  sortByUtf8(entries);
  for (let i = 1; i < entries.length; i += 1) {
    if (entries[i].archivePath === entries[i - 1].archivePath) {
      throw new EgressError("INPUT", `'${entries[i].archivePath}' is listed twice in the collection.`);
    }
  }
  let outputsRoot;
  try {
    outputsRoot = realpathSync.native(options.outputsRoot);
  } catch (error) {
    throw new EgressError("INPUT", `Outputs root '${options.outputsRoot}' cannot be read.`, { cause: error });
  }
  const mtime = Math.floor(Date.parse(receipt.createdAt) / 1e3) || 0;
  let archiveBytes = END_BYTES;
  for (const entry of entries) {
    const size = "content" in entry ? entry.content.length : entry.file.size;
    archiveBytes += fileHeaderLength({ path: entry.archivePath, size, mtime }) + size + paddingLength(size);
  }
  return { root, outputsRoot, mtime, entries, archiveBytes };
}
function sortByUtf8(entries) {
  if (!entries.some((entry) => /[\uD800-\uDFFF]/.test(entry.archivePath))) {
    entries.sort((a, b) => a.archivePath < b.archivePath ? -1 : a.archivePath > b.archivePath ? 1 : 0);
    return;
  }
  const keyed = entries.map((entry) => ({ entry, key: Buffer.from(entry.archivePath) }));
  keyed.sort((a, b) => Buffer.compare(a.key, b.key));
  keyed.forEach((k, i) => {
    entries[i] = k.entry;
  });
}
function createArchiveStream(plan) {
  const chunks = generateArchiveChunks(plan);
  return new ReadableStream(
    {
      pull(controller) {
        try {
          const next = chunks.next();
          if (next.done) controller.close();
          else controller.enqueue(next.value);
        } catch (error) {
          controller.error(error);
        }
      },
      cancel() {
        chunks.return(void 0);
      }
    },
    { highWaterMark: 1 }
  );
}
function* generateArchiveChunks(plan, queue = createChunkQueue()) {
  const dirs = /* @__PURE__ */ new Map();
  const header = createHeaderWriter(plan.mtime);
  const zeros = new Uint8Array(BLOCK);
  for (const entry of plan.entries) {
    const size = "content" in entry ? entry.content.length : entry.file.size;
    queue.put(header({ path: entry.archivePath, size, mtime: plan.mtime }));
    if ("content" in entry) queue.put(entry.content);
    else yield* copyPinnedFile(plan.outputsRoot, entry.file, queue, dirs);
    const padding = paddingLength(size);
    if (padding > 0) queue.put(zeros.subarray(0, padding));
    while (queue.ready() > 0) yield queue.take();
  }
  queue.put(encodeEnd());
  yield* queue.drain();
  const last = queue.flush();
  if (last) yield last;
}
function paddingLength(size) {
  const rest = size % BLOCK;
  return rest === 0 ? 0 : BLOCK - rest;
}
function* copyPinnedFile(outputsRoot, file, queue, dirs) {
  const fd = openInside(outputsRoot, file.path, dirs);
  try {
    const stat2 = fstatSync(fd);
    if (!stat2.isFile())
      throw new EgressError("INPUT", `'${file.path}' is not a regular file; list the files inside it.`);
    if (stat2.size !== file.size)
      throw pinMismatch(file, `its size is ${stat2.size} bytes, pinned ${file.size}`);
    let actual;
    const first = queue.space();
    if (file.size <= first.length) {
      let got = 0;
      while (got < file.size) {
        const more = readInto(fd, first.subarray(got), file.size - got, file);
        if (more === 0) throw pinMismatch(file, "it became shorter while being read");
        got += more;
      }
      actual = hashOnce("sha256", first.subarray(0, got), "hex");
      queue.commit(got);
    } else {
      const hash = createHash2("sha256");
      let remaining = file.size;
      while (remaining > 0) {
        const space = queue.space();
        const got = readInto(fd, space, Math.min(space.length, remaining), file);
        if (got === 0) throw pinMismatch(file, "it became shorter while being read");
        hash.update(space.subarray(0, got));
        queue.commit(got);
        remaining -= got;
        while (queue.ready() > 0) yield queue.take();
      }
      actual = hash.digest("hex");
    }
    if (actual !== file.sha256 && actual !== file.sha256.toLowerCase())
      throw pinMismatch(file, `its SHA-256 is ${actual}, pinned ${file.sha256}`);
  } finally {
    closeSync(fd);
  }
}
function readInto(fd, target, length, file) {
  try {
    return readSync(fd, target, 0, length, null);
  } catch (error) {
    throw new EgressError("INPUT", `'${file.path}' cannot be read: ${error.message}.`, {
      cause: error
    });
  }
}
function openInside(outputsRoot, relative, dirs) {
  const slash = relative.lastIndexOf("/");
  const dir = slash < 0 ? "" : relative.slice(0, slash);
  let realDir = dirs.get(dir);
  if (realDir === void 0) {
    realDir = dir === "" ? outputsRoot : resolveInside(outputsRoot, dir);
    dirs.set(dir, realDir);
  }
  const target = `${realDir}/${relative.slice(slash + 1)}`;
  try {
    return openSync(target, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    if (error.code !== "ELOOP") throw cannotOpen(relative, error);
  }
  const real = resolveInside(outputsRoot, relative);
  try {
    return openSync(real, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    throw cannotOpen(relative, error);
  }
}
function resolveInside(outputsRoot, relative) {
  let real;
  try {
    real = realpathSync.native(path.join(outputsRoot, relative));
  } catch (error) {
    throw cannotOpen(relative, error);
  }
  if (real === outputsRoot || !isInsideRoot(outputsRoot, real)) {
    throw new EgressError(
      "INPUT",
      `'${relative}' resolves outside the outputs root (to '${real}'); refused.`
    );
  }
  return real;
}
function cannotOpen(relative, error) {
  const reason = error.code ?? error.message;
  return new EgressError("INPUT", `'${relative}' cannot be opened under the outputs root: ${reason}.`, {
    cause: error
  });
}
var MAYBE_UNSAFE = /^[/~]|^[A-Za-z]:|\\|[\u0000-\u001f\u007f]|(?:^|\/)\.{0,2}(?:\/|$)/;
function describeUnsafeArchivePath(relative) {
  if (!MAYBE_UNSAFE.test(relative)) return void 0;
  return describeUnsafeItemPath(relative) ?? (relative === "" || relative.endsWith("/") ? `'${relative}' names no file` : void 0);
}
function checkRelativePath(relative) {
  const unsafe = describeUnsafeArchivePath(relative);
  if (unsafe) throw new EgressError("INPUT", `${unsafe}; refused.`);
}
function pinMismatch(file, detail) {
  return new EgressError(
    "INTEGRITY",
    `'${file.path}' no longer matches its pin: ${detail}. Nothing was written; re-run 'egress-gate lock' and have the reviewers approve again.`
  );
}
function sha256Hex(bytes) {
  return createHash2("sha256").update(bytes).digest("hex");
}

// action/src/pack/package-collection.ts
function nameCollectionPackage(receipt) {
  return `${receipt.request.id}-${receipt.collection.name}`;
}
async function packCollection(options) {
  const { receipt } = options;
  const stages = {};
  const clock = startClock(stages);
  const root = nameCollectionPackage(receipt);
  const date = new Date(Date.parse(receipt.createdAt) || 0);
  const own = await prepareOwnSeipd(options.encryptionKeys, options.passwords, /* @__PURE__ */ new Date());
  clock.lap("session key and its packets (openpgp.js)");
  const worker = own ? startCfbWorker(own.sessionKey) : void 0;
  const file = `${root}.tar.gpg`;
  const finalPath = path2.join(options.outDir, file);
  const partPath = path2.join(options.outDir, `.${file}.${randomBytes2(6).toString("hex")}.partial`);
  let out;
  let closed = false;
  try {
    const plan = await planSignedArchive({
      root,
      outputsRoot: options.outputsRoot,
      receipt,
      signDetached: (bytes) => signDetached(bytes, options.signingKey, date)
    });
    clock.lap("plan, sign SHA256SUMS and RECEIPT.json");
    await mkdir(options.outDir, { recursive: true });
    out = await open(partPath, "wx", 384);
    let written;
    const progress = (archived) => options.onProgress?.(archived, plan.archiveBytes);
    if (own && worker) {
      const sink = createAsyncFileSink(out.fd);
      const queue = createChunkQueue();
      const chunks = generateArchiveChunks(plan, queue);
      try {
        await encryptChunksOwnSeipd({
          chunks,
          dataBytes: plan.archiveBytes,
          own,
          worker,
          sink,
          filename: `${root}.tar`,
          date,
          progress,
          // From here on the stream's small per-chunk objects must not make V8 grow its young
          // generation: peak RSS would grow with the size of the package (94 → 108 MiB at 8 GiB).
          onEncrypting: keepYoungGenerationSmall,
          recycle: (buffer) => queue.recycle(buffer),
          stages
        });
      } finally {
        chunks.return(void 0);
      }
      written = { sha256: sink.sha256(), size: sink.size() };
      stages["read + pin SHA-256 + tar framing (main thread)"] = stages["plaintext chunks (main thread)"];
      delete stages["plaintext chunks (main thread)"];
    } else {
      const syncSink = createFileSink(out.fd);
      await writeWithOpenpgp({ plan, options, sink: syncSink, filename: `${root}.tar`, date, progress });
      written = { sha256: syncSink.sha256(), size: syncSink.size() };
      clock.lap("tar + encrypt + write (openpgp.js, one thread)");
    }
    await out.close();
    closed = true;
    await rename(partPath, finalPath);
    stages.total = clock.total();
    options.onProfile?.({ encryption: own ? "egress-seipdv1" : "openpgp.js", stages });
    return {
      path: finalPath,
      file,
      sha256: written.sha256,
      size: written.size,
      archiveBytes: plan.archiveBytes
    };
  } catch (error) {
    if (out && !closed) await out.close().catch(() => void 0);
    await rm(partPath, { force: true });
    throw asEgressError(error, partPath, file, root);
  } finally {
    await worker?.close();
  }
}
async function writeWithOpenpgp(input) {
  let archived = 0;
  let aborted;
  const watched = watchArchive(createArchiveStream(input.plan), {
    onChunk(bytes) {
      archived += bytes;
      input.progress(archived);
    },
    onError(error) {
      aborted ??= error;
    }
  });
  const encrypted = await encryptStream({
    plaintext: watched,
    encryptionKeys: input.options.encryptionKeys,
    ...input.options.passwords ? { passwords: input.options.passwords } : {},
    filename: input.filename,
    date: input.date
  });
  for await (const chunk of encrypted) {
    if (aborted !== void 0) break;
    input.sink.write([chunk]);
  }
  if (aborted !== void 0) throw aborted;
}
function watchArchive(source, on) {
  const reader = source.getReader();
  return new ReadableStream(
    {
      async pull(controller) {
        try {
          const next = await reader.read();
          if (next.done) {
            controller.close();
            return;
          }
          on.onChunk(next.value.length);
          controller.enqueue(next.value);
        } catch (error) {
          on.onError(error);
          controller.close();
        }
      },
      cancel(reason) {
        return reader.cancel(reason);
      }
    },
    { highWaterMark: 0 }
  );
}
function asEgressError(error, partPath, file, root) {
  if (error instanceof EgressError) return error;
  const errno = error.code;
  if (typeof errno === "string") {
    return new EgressError(
      "INPUT",
      `Cannot write '${partPath}': ${errno}. Nothing was written under '${file}'.`,
      {
        cause: error
      }
    );
  }
  return new EgressError("INTERNAL", `Packing '${root}' failed: ${error.message}`, {
    cause: error
  });
}
function startClock(stages) {
  const start = performance.now();
  let last = start;
  return {
    lap(name) {
      const now = performance.now();
      stages[name] = now - last;
      last = now;
    },
    total: () => performance.now() - start
  };
}

// action/src/app/pack-preflight.ts
import { constants as constants2 } from "node:fs";
import { access, lstat, stat } from "node:fs/promises";
import path3 from "node:path";
async function checkSigningKey(repo, signingKey) {
  const configPath = `${repo.configDir}/config.yaml`;
  const name = repo.config.signingKey;
  if (name === void 0) {
    throw new EgressError(
      "CONFIG",
      `${configPath} names no egress signing key: add 'signingKey: <file>' naming its public key under ${repo.configDir}/keys/ (e.g. egress-signing.asc); packages are signed by that key only.`
    );
  }
  const keyPath = `${repo.configDir}/keys/${name}`;
  const armored = repo.keys.get(name);
  if (armored === void 0) {
    throw new EgressError(
      "CONFIG",
      `${configPath} names the signing key '${name}', but ${keyPath} does not exist; add the egress signing key's public key there.`
    );
  }
  const expected = (await readPublicKeys(armored, keyPath)).map(formatFingerprint);
  const actual = formatFingerprint(signingKey);
  if (!expected.includes(actual)) {
    throw new EgressError(
      "CONFIG",
      `the signing key ${actual} is not the egress signing key: ${configPath} names ${keyPath}, fingerprint ${expected.join(" or ")}. Sign with that key's secret half.`
    );
  }
}
function checkPassphraseAllowed(policy, passwords, collections) {
  if (!passwords || passwords.length === 0) return;
  const sensitive = collections.filter((c) => c.tier >= policy.sensitive.fromTier);
  if (sensitive.length === 0) return;
  const which = sensitive.map((c) => `'${c.name}' (tier ${c.tier})`).join(", ");
  throw new EgressError(
    "USAGE",
    `a package passphrase cannot be used: ${which} must open with the data provider's keys only (policy ${policy.name}: from tier ${policy.sensitive.fromTier}, no passphrase may open a package). Leave out the package passphrase; nothing was packed.`
  );
}
async function checkPackedItems(document, outputsDir, items, outputs) {
  let root;
  try {
    root = await resolveOutputsRoot(outputsDir);
  } catch (error) {
    throw new EgressError("CONFIG", `the outputs root '${outputsDir}' does not exist or cannot be read`, {
      cause: error
    });
  }
  const out = [];
  const resolver = outputs?.root === root ? outputs : createOutputsResolver(root);
  for (const item of items) {
    if (resolver.plainFile(item.path)?.size === item.size) continue;
    const at = (suffix, code, message) => out.push(diagnosticAt(document, `${item.pointer}${suffix}`, code, message));
    const resolution = await resolveItem(root, item.path);
    if (!resolution.ok) {
      at("/path", resolution.code, `${resolution.message}; nothing was packed.`);
    } else if (resolution.directory) {
      at(
        "/path",
        "unlocked-directory",
        `'${item.path}' is a directory; run 'egress-gate lock' to list and pin its files.`
      );
    } else {
      const size = (await stat(resolution.files[0].absolutePath)).size;
      if (size !== item.size) {
        at(
          "/size",
          "size-mismatch",
          `'${item.path}' is ${size} bytes on disk but pinned as ${item.size}: the file changed since it was locked; nothing was packed.`
        );
      }
    }
  }
  return out;
}
async function checkOutDir(outDir, finalNames) {
  const info = await lstat(outDir).catch((error) => {
    if (error.code === "ENOENT") return void 0;
    throw new EgressError("USAGE", `cannot use --out '${outDir}': ${error.code ?? "error"}`, {
      cause: error
    });
  });
  if (info && !info.isDirectory()) {
    throw new EgressError("USAGE", `--out '${outDir}' exists and is not a directory; nothing was packed.`);
  }
  let probe = outDir;
  const created = [];
  if (!info) {
    created.push(outDir);
    for (; ; ) {
      probe = path3.dirname(probe);
      const found = await lstat(probe).then(
        () => true,
        () => false
      );
      if (found) break;
      created.push(probe);
    }
  }
  try {
    await access(probe, constants2.W_OK | constants2.X_OK);
  } catch (error) {
    throw new EgressError(
      "USAGE",
      `cannot write into '${probe}' (${error.code ?? "error"}); choose another --out. Nothing was packed.`,
      { cause: error }
    );
  }
  if (info) {
    const taken = [];
    for (const name of finalNames) {
      if (await lstat(path3.join(outDir, name)).then(
        () => true,
        () => false
      ))
        taken.push(name);
    }
    if (taken.length > 0) {
      throw new EgressError(
        "USAGE",
        `${taken.map((n) => `'${path3.join(outDir, n)}'`).join(", ")} already exist${taken.length === 1 ? "s" : ""}: a package or receipt is never replaced. Move ${taken.length === 1 ? "it" : "them"} away or choose another --out; nothing was packed.`
      );
    }
  }
  return { created };
}
function planItems(manifest, packed, excluded) {
  const items = [];
  const unpinned = [];
  manifest.collections.forEach((collection, c) => {
    if (!packed.has(collection.name)) return;
    collection.items.forEach((item, i) => {
      if (excluded.get(collection.name)?.has(item.path)) return;
      const pointer = `/collections/${c}/items/${i}`;
      if (item.sha256 === void 0 || item.size === void 0) {
        unpinned.push({ pointer, path: item.path, collection: collection.name });
      } else {
        items.push({ pointer, path: item.path, size: item.size });
      }
    });
  });
  return { items, unpinned };
}

// action/src/app/pack-request.ts
var FULL_COMMIT = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/i;
async function packRequest(input) {
  await checkSigningKey(input.repo, input.signingKey);
  const validated = await validateRequest({
    files: input.files,
    manifestPath: input.manifestPath,
    repo: input.repo,
    configDir: input.repo.configDir
  });
  const diagnostics = [...validated.diagnostics];
  const manifest = validated.manifest;
  const workPackage = manifest ? input.repo.workPackages.get(manifest.workPackage) : void 0;
  if (!manifest || !workPackage || !validated.document || hasErrors(diagnostics)) {
    const reasons2 = [`${input.manifestPath} is invalid (see the diagnostics)`];
    return { passed: false, diagnostics, reasons: reasons2, packages: [], skipped: [] };
  }
  const selected = selectCollections(manifest, input.collections);
  const { author, head, merger, reviews } = input.reviews;
  const outputs = await openOutputs(input.outputsDir);
  const findings = findingsCanBlock(input.policy) ? await scanRequestOutputs(manifest, input.outputsDir, input.policy, {
    document: validated.document,
    ...outputs ? { outputs } : {}
  }) : void 0;
  const evaluation = evaluatePolicy({
    ...findings ? { findings: disclosureFacts(findings) } : {},
    policy: input.policy,
    config: input.repo.config,
    workPackage,
    manifest,
    author,
    reviews,
    ...head !== void 0 ? { head } : {},
    ...merger !== void 0 ? { merger } : {}
  });
  const skipped = evaluation.collections.filter((c) => c.state !== "cleared").map((c) => ({ collection: c.name, state: c.state, reasons: [...c.reasons, ...c.missing] }));
  const missingFacts = releaseFacts(input);
  const reasons = [...evaluation.reasons, ...missingFacts];
  for (const s of skipped) {
    reasons.push(
      `collection ${s.collection} is ${s.state}, not cleared: the request passes only when every collection is cleared`
    );
  }
  const fail = () => ({
    passed: false,
    diagnostics: sortDiagnostics(diagnostics),
    evaluation,
    reasons,
    packages: [],
    skipped
  });
  if (!evaluation.passed || missingFacts.length > 0) return fail();
  const commit = head.toLowerCase();
  const results = evaluation.collections.filter((c) => selected.has(c.name));
  checkPassphraseAllowed(
    input.policy,
    input.passwords,
    results.map((c) => ({ name: c.name, tier: c.tier ?? 0 }))
  );
  const excluded = new Map(results.map((c) => [c.name, new Set(c.excludedItems)]));
  const plan = planItems(manifest, selected, excluded);
  for (const u of plan.unpinned) {
    diagnostics.push(
      diagnosticAt(
        validated.document,
        u.pointer,
        "unpinned-item",
        `'${u.path}' in collection '${u.collection}' has no sha256/size pin; run 'egress-gate lock' and ask for new reviews.`
      )
    );
  }
  diagnostics.push(...await checkPackedItems(validated.document, input.outputsDir, plan.items, outputs));
  if (hasErrors(diagnostics)) {
    reasons.push("an item cannot be packed as pinned (see the diagnostics)");
    return fail();
  }
  const signer = formatFingerprint(input.signingKey);
  const prepared = [];
  for (const result of results) {
    const collection = manifest.collections.find((c) => c.name === result.name);
    const keys = await resolveRecipientKeys(result, collection, input);
    const receipt = buildReceipt({ manifest, collection, result, input, signer, keys, commit });
    prepared.push({ result, receipt, keys });
  }
  const finalNames = prepared.flatMap(({ receipt }) => {
    const file = `${nameCollectionPackage(receipt)}.tar.gpg`;
    return [file, `${file}.receipt.asc`];
  });
  const { created } = await checkOutDir(input.outDir, finalNames);
  const packages = [];
  try {
    for (const { result, receipt, keys } of prepared) {
      const packed = await packCollection({
        receipt,
        outputsRoot: input.outputsDir,
        outDir: input.outDir,
        encryptionKeys: keys,
        signingKey: input.signingKey,
        ...input.passwords && input.passwords.length > 0 ? { passwords: input.passwords } : {},
        ...input.onProgress ? { onProgress: (done, total) => input.onProgress?.(result.name, done, total) } : {}
      });
      packages.push({ collection: result.name, receipt, package: packed });
    }
  } catch (error) {
    await Promise.all(packages.map((p) => rm2(p.package.path, { force: true })));
    for (const dir of created) await rmdir(dir).catch(() => void 0);
    throw error;
  }
  return { passed: true, diagnostics: sortDiagnostics(diagnostics), evaluation, reasons, packages, skipped };
}
async function openOutputs(outputsDir) {
  try {
    return createOutputsResolver(await resolveOutputsRoot(outputsDir));
  } catch {
    return void 0;
  }
}
function releaseFacts(input) {
  const { head, merger } = input.reviews;
  const problems = [];
  if (head === void 0 || !FULL_COMMIT.test(head)) {
    problems.push(
      head === void 0 ? "no head commit is given: packing needs the full id of the commit the reviews approved (`head:` in the reviews file)" : `the head commit '${head}' is abbreviated: packing needs its full id (40 or 64 hex digits), which the receipt records`
    );
  }
  if (merger === void 0) {
    const title = roleTitle(input.policy, input.policy.releasingRole.id);
    problems.push(
      `no merger is given: packing needs who merged (\`merger:\` in the reviews file), who must be a ${title}`
    );
  }
  return problems;
}
function selectCollections(manifest, names) {
  const all = manifest.collections.map((c) => c.name);
  if (names === void 0) return new Set(all);
  const unknown = names.filter((n) => !all.includes(n));
  if (unknown.length > 0) {
    throw new EgressError(
      "USAGE",
      `${unknown.map((n) => `'${n}'`).join(", ")} ${unknown.length === 1 ? "is" : "are"} not a collection of request ${manifest.id} (collections: ${all.join(", ")})`
    );
  }
  return new Set(names);
}
async function resolveRecipientKeys(result, collection, input) {
  const names = result.recipients;
  if (names.length === 0) {
    throw new EgressError(
      "CONFIG",
      `collection '${collection.name}' has no recipient key: list key files under 'recipients' (or the data provider's 'keys') in the work package.`
    );
  }
  const keys = [];
  for (const name of names) {
    const armored = input.repo.keys.get(name);
    if (armored === void 0) {
      throw new EgressError(
        "CONFIG",
        `collection '${collection.name}' must be encrypted to '${name}', but ${input.repo.configDir}/keys/${name} does not exist.`
      );
    }
    keys.push(...await readPublicKeys(armored, `${input.repo.configDir}/keys/${name}`));
  }
  return keys;
}
function buildReceipt(parts) {
  const { manifest, collection, result, input, commit } = parts;
  const excluded = new Set(result.excludedItems);
  const files = collection.items.filter((item) => !excluded.has(item.path)).map((item) => ({ path: item.path, sha256: item.sha256.toLowerCase(), size: item.size })).sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)));
  const { discussion, providerNotification: notice } = collection;
  return {
    receiptVersion: 1,
    request: {
      id: manifest.id,
      title: manifest.title,
      workPackage: manifest.workPackage,
      requester: manifest.requester
    },
    collection: { name: collection.name, kind: collection.kind, destination: collection.destination },
    tier: result.tier ?? 0,
    // Counted classifications were made on the head: record its full id, not the abbreviation.
    classifications: result.classifications.map((c) => ({
      ...c,
      commit: sameCommit(c.commit, commit) ? commit : c.commit
    })),
    ...discussion ? {
      discussion: {
        date: String(discussion.date),
        outcome: discussion.outcome,
        attendees: discussion.attendees.map((a) => ({ user: a.user, role: a.role })),
        treatments: (discussion.treatments ?? []).map((t) => ({
          path: t.path,
          treatment: t.treatment,
          ...t.note !== void 0 ? { note: t.note } : {}
        })),
        ...discussion.notes !== void 0 ? { notes: discussion.notes } : {}
      }
    } : {},
    ...notice ? {
      providerNotification: {
        ...notice.reference !== void 0 ? { reference: notice.reference } : {},
        ...notice.date !== void 0 ? { date: String(notice.date) } : {},
        ...notice.legalBasis !== void 0 ? { legalBasis: notice.legalBasis } : {}
      }
    } : {},
    files,
    excluded: [...result.excludedItems].sort(),
    recipients: parts.keys.map(formatFingerprint),
    passphrase: (input.passwords?.length ?? 0) > 0,
    signer: parts.signer,
    commit,
    merger: input.reviews.merger,
    evidence: input.evidence,
    createdAt: input.createdAt,
    ...input.runUrl !== void 0 ? { runUrl: input.runUrl } : {}
  };
}

export {
  formatFingerprint,
  readPublicKeys,
  readSecretKey,
  describeOpenpgp,
  verifyDetached,
  RECEIPT_NAME,
  SUMS_NAME,
  FILES_DIR,
  RECEIPT_SIGNATURE_NAME,
  SUMS_SIGNATURE_NAME,
  nameCollectionPackage,
  packRequest
};
