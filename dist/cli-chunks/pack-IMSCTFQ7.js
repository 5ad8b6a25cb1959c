#!/usr/bin/env node
import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  packCommand,
  readPassphraseFile,
  readUserFile
} from "./chunk-PUES3536.js";
import "./chunk-J3TZ57XU.js";
import "./chunk-DBCLZHKV.js";
import "./chunk-VGXNXCZK.js";
import "./chunk-BV4H3DRH.js";
import "./chunk-XFTMOKU7.js";
import "./chunk-3J3S3TFB.js";
import "./chunk-V3ZJOSVK.js";
import "./chunk-7N3PT735.js";
export {
  packCommand,
  readPassphraseFile,
  readUserFile
};
