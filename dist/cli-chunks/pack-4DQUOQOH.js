#!/usr/bin/env node
import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  packCommand,
  readPassphraseFile,
  readUserFile
} from "./chunk-HBS5MCZY.js";
import "./chunk-AYZZWVIU.js";
import "./chunk-V5R6EYVF.js";
import "./chunk-A5NTZDEM.js";
import "./chunk-FSVXL6DJ.js";
import "./chunk-JGZKFIGH.js";
import "./chunk-7SYB65J7.js";
import "./chunk-V3ZJOSVK.js";
import "./chunk-7N3PT735.js";
export {
  packCommand,
  readPassphraseFile,
  readUserFile
};
