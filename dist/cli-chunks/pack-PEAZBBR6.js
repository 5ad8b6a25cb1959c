#!/usr/bin/env node
import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  packCommand,
  readPassphraseFile,
  readUserFile
} from "./chunk-O2ZCFPUC.js";
import "./chunk-I5OQ4HBQ.js";
import "./chunk-3KFFOODU.js";
import "./chunk-F2FUFNPA.js";
import "./chunk-V3LVJDCQ.js";
import "./chunk-N4XMSJRH.js";
import "./chunk-ATVNCL2G.js";
import "./chunk-V3ZJOSVK.js";
import "./chunk-7N3PT735.js";
export {
  packCommand,
  readPassphraseFile,
  readUserFile
};
