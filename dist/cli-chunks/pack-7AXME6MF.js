#!/usr/bin/env node
import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  packCommand,
  readPassphraseFile,
  readUserFile
} from "./chunk-ZFQU57DK.js";
import "./chunk-LRTINK2B.js";
import "./chunk-G3NZJGV7.js";
import "./chunk-HZHVPSEG.js";
import "./chunk-GA5RL33M.js";
import "./chunk-3JVZ3KOA.js";
import "./chunk-MFV4Z2EZ.js";
import "./chunk-V3ZJOSVK.js";
import "./chunk-7N3PT735.js";
export {
  packCommand,
  readPassphraseFile,
  readUserFile
};
