#!/usr/bin/env node
import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  describeOpenpgp
} from "./chunk-LRTINK2B.js";
import {
  createCleartextMessage,
  readCleartextMessage,
  sign,
  verify
} from "./chunk-MFV4Z2EZ.js";
import {
  EgressError
} from "./chunk-7N3PT735.js";

// action/src/crypto/sign-text.ts
async function signCleartext(text, signingKey) {
  try {
    const message = await createCleartextMessage({ text });
    return await sign({ message, signingKeys: signingKey, format: "armored" });
  } catch (error) {
    throw new EgressError("INTERNAL", `could not sign the receipt (${describeOpenpgp(error)})`, {
      cause: error
    });
  }
}
async function verifyCleartext(armored, signerKeys) {
  try {
    const message = await readCleartextMessage({ cleartextMessage: armored });
    const result = await verify({ message, verificationKeys: signerKeys, expectSigned: true });
    return result.data;
  } catch (error) {
    throw new EgressError(
      "INTEGRITY",
      `the receipt's signature does not verify (${describeOpenpgp(error)})`,
      {
        cause: error
      }
    );
  }
}

export {
  signCleartext,
  verifyCleartext
};
