#!/usr/bin/env node
import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  packCommand,
  readPassphraseFile,
  readUserFile
} from "./chunk-7Y4FMGIP.js";
import "./chunk-PLUOKR7E.js";
import "./chunk-NUAJWI32.js";
import "./chunk-QIPKOANJ.js";
import "./chunk-V53OTLA5.js";
import "./chunk-7FKC4PI4.js";
import "./chunk-3XSDQMKH.js";
import "./chunk-V3ZJOSVK.js";
import "./chunk-7N3PT735.js";
export {
  packCommand,
  readPassphraseFile,
  readUserFile
};
