#!/usr/bin/env node
import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  packCommand,
  readPassphraseFile,
  readUserFile
} from "./chunk-3KZJ3HQJ.js";
import "./chunk-YFCL2WOI.js";
import "./chunk-CQWLZKA2.js";
import "./chunk-7TYUKOIL.js";
import "./chunk-LZ2MHZ4I.js";
import "./chunk-H7AZR3LD.js";
import "./chunk-BRQVCF5E.js";
import "./chunk-V3ZJOSVK.js";
import "./chunk-7N3PT735.js";
export {
  packCommand,
  readPassphraseFile,
  readUserFile
};
