#!/usr/bin/env node
import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  packCommand,
  readPassphraseFile,
  readUserFile
} from "./chunk-LFL7VPH6.js";
import "./chunk-DRNB6JKV.js";
import "./chunk-SXEFA6V2.js";
import "./chunk-2SF3RBK4.js";
import "./chunk-T7FZV52U.js";
import "./chunk-MVPEALKF.js";
import "./chunk-JTOBGNJZ.js";
import "./chunk-V3ZJOSVK.js";
import "./chunk-7N3PT735.js";
export {
  packCommand,
  readPassphraseFile,
  readUserFile
};
