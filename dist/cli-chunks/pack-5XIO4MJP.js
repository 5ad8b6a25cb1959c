#!/usr/bin/env node
import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  packCommand,
  readPassphraseFile,
  readUserFile
} from "./chunk-XVDP3IN6.js";
import "./chunk-S446TINE.js";
import "./chunk-CQWLZKA2.js";
import "./chunk-RUBLMAFV.js";
import "./chunk-NGHMK7LK.js";
import "./chunk-H7AZR3LD.js";
import "./chunk-BRQVCF5E.js";
import "./chunk-V3ZJOSVK.js";
import "./chunk-7N3PT735.js";
export {
  packCommand,
  readPassphraseFile,
  readUserFile
};
