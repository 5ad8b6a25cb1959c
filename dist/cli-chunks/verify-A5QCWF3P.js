#!/usr/bin/env node
import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  verifyPackage
} from "./chunk-NRXVDTJN.js";
import "./chunk-PAHEFPVV.js";
import {
  readPassphraseFile,
  readUserFile
} from "./chunk-ZFQU57DK.js";
import {
  readPublicKeys,
  readSecretKey
} from "./chunk-LRTINK2B.js";
import "./chunk-G3NZJGV7.js";
import "./chunk-HZHVPSEG.js";
import "./chunk-GA5RL33M.js";
import "./chunk-3JVZ3KOA.js";
import {
  parseCommandLine,
  requireOnePositional,
  requireOption
} from "./chunk-MFV4Z2EZ.js";
import {
  ExitCode
} from "./chunk-V3ZJOSVK.js";
import "./chunk-7N3PT735.js";

// action/src/cli/commands/verify.ts
import { relative, resolve } from "node:path";
var help = `Usage: egress-gate verify <package> --key <secret-key-file> --signer <public-key-file> --out <dir>
                          [--receipt <file>] [--passphrase-file <file>] [--json]

For recipients: checks the package's SHA-256 against the signed delivery receipt
(<package>.receipt.asc beside it, or --receipt), decrypts the package with your secret key,
checks the egress key's signature over SHA256SUMS (SHA256SUMS.asc) and RECEIPT.json, checks
every file against SHA256SUMS and RECEIPT.json (a member SHA256SUMS does not list, or anything
but a regular file, is refused), and only when every check passed extracts the files into --out.
On any failure nothing is extracted and the exit code is 1. Memory stays flat: the decrypted
archive is written aside (inside --out, removed afterwards) and read only once the integrity
checks passed.

Also accepts older egress-gate packages (signed as a whole) and packages made with GnuPG
('tar cf - dir | gpg --sign --encrypt ...').

Options:
  --key <file>              your OpenPGP secret key (armored or binary)
  --passphrase-file <file>  its passphrase, when it has one (first line of the file)
  --signer <file>           the egress signing key's public key
  --out <dir>               where to extract (created if missing; existing names are not overwritten)
  --receipt <file>          the signed delivery receipt (default: <package>.receipt.asc, if present)
  --json                    print {verified, signer, signedAt, authenticatedBy, deliveryReceipt,
                            files, extracted, receipt, warnings}

Exit codes: 0 verified and extracted, 1 a check failed (nothing extracted), 2 usage error.

Without egress-gate, GnuPG, tar and coreutils do the same (see the README):
  gpg --verify <package>.receipt.asc && sha256sum <package>   # must equal the receipt's package.sha256
  gpg --decrypt --output package.tar <package>
  tar -xf package.tar && cd <request>-<collection>
  gpg --verify SHA256SUMS.asc SHA256SUMS && sha256sum -c SHA256SUMS
`;
function parseVerifyArgs(argv, io) {
  const { values, positionals } = parseCommandLine("verify", argv, {
    key: { type: "string" },
    signer: { type: "string" },
    out: { type: "string" },
    "passphrase-file": { type: "string" },
    receipt: { type: "string" },
    json: { type: "boolean", default: false }
  });
  const pkg = requireOnePositional("verify", positionals, "package", "<request>-<collection>.tar.gpg");
  const required = (value, flag) => resolve(io.cwd, requireOption("verify", value, flag));
  const passphrase = values["passphrase-file"];
  return {
    packagePath: resolve(io.cwd, pkg),
    keyPath: required(values.key, "--key <file>"),
    signerPath: required(values.signer, "--signer <file>"),
    outDir: required(values.out, "--out <dir>"),
    passphrasePath: passphrase === void 0 ? void 0 : resolve(io.cwd, passphrase),
    receiptPath: values.receipt === void 0 ? void 0 : resolve(io.cwd, values.receipt),
    json: values.json === true
  };
}
var verifyCommand = {
  name: "verify",
  help,
  async run(argv, io) {
    const args = parseVerifyArgs(argv, io);
    const label = (path) => relative(io.cwd, path) || path;
    const passphrase = args.passphrasePath ? await readPassphraseFile(args.passphrasePath) : void 0;
    const decryptionKey = await readSecretKey(
      await readUserFile(args.keyPath, "secret key"),
      label(args.keyPath),
      passphrase
    );
    const signerKeys = await readPublicKeys(
      await readUserFile(args.signerPath, "signer key"),
      label(args.signerPath)
    );
    const result = await verifyPackage({
      packagePath: args.packagePath,
      decryptionKey,
      signerKeys,
      outDir: args.outDir,
      ...args.receiptPath ? { receiptPath: args.receiptPath } : {}
    });
    if (args.json) {
      io.stdout(
        `${JSON.stringify({
          verified: true,
          signer: result.signer,
          ...result.signedAt ? { signedAt: result.signedAt.toISOString() } : {},
          authenticatedBy: result.authenticatedBy,
          deliveryReceipt: result.deliveryReceipt ?? null,
          files: result.fileCount,
          extracted: result.extracted.map((name) => resolve(args.outDir, name)),
          receipt: result.receipt ?? null,
          warnings: result.warnings
        })}
`
      );
    } else {
      for (const warning of result.warnings) io.stderr(`warning: ${warning}
`);
      const when = result.signedAt ? ` on ${result.signedAt.toISOString()}` : "";
      const checked = result.receipt ? "SHA256SUMS and RECEIPT.json" : result.warnings.length ? "the signature" : "SHA256SUMS";
      const byReceipt = result.deliveryReceipt ? `its SHA-256 matches the signed delivery receipt ${label(result.deliveryReceipt)}; ` : "";
      io.stdout(
        `verified ${label(args.packagePath)}: ${byReceipt}signed by ${result.signer}${when} (${result.authenticatedBy}); ${result.fileCount} files match ${checked}
` + result.extracted.map((name) => `extracted ${resolve(args.outDir, name)}
`).join("")
      );
      if (result.receipt) {
        const r = result.receipt;
        io.stdout(
          `  request ${r.request.id}, collection ${r.collection.name}, tier ${r.tier}, ${r.files.length} files
`
        );
      }
    }
    return ExitCode.ok;
  }
};
export {
  verifyCommand
};
