#!/usr/bin/env node
// Reference canonical JSON: the bytes tuf-js signs and verifies.
//
//   TUFJS_DIR=DIR node canonicalize.mjs INPUT.json > OUTPUT.canonical
//
// Reads INPUT.json with JSON.parse (as tuf-js reads metadata: see tuf-js/dist/store.js,
// `JSON.parse(bytes.toString('utf8'))`) and writes @tufjs/canonical-json's
// canonicalize() of it to stdout as UTF-8, with no trailing newline (as
// @tufjs/models' verify does: `Buffer.from(canonicalize(signed))`).
//
// Exit 0 with the bytes on stdout, or exit 1 with "ClassName: message" on stderr and
// nothing on stdout (e.g. canonicalize refuses 1.5 with "TypeError: cannot encode 1.5").
// Note that JSON.parse has already turned every number into a JS double: 1e3 and 1.0
// reach canonicalize() as the integer 1000 and 1, and integers beyond 2^53 arrive
// rounded. tests/data/PROVENANCE.md ("Canonical JSON golden vectors") records what
// that does to each vector.
import fs from 'node:fs';

import { installedVersion, requireInstalled } from './tufjs_modules.mjs';

if (process.argv.length !== 3 || process.argv[2] === '--version') {
  if (process.argv[2] === '--version') {
    process.stdout.write(installedVersion('@tufjs/canonical-json') + '\n');
    process.exit(0);
  }
  process.stderr.write('usage: TUFJS_DIR=DIR node canonicalize.mjs INPUT.json\n');
  process.exit(2);
}

try {
  const { canonicalize } = requireInstalled('@tufjs/canonical-json');
  const value = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  const bytes = Buffer.from(canonicalize(value), 'utf8');
  for (let off = 0; off < bytes.length;) off += fs.writeSync(1, bytes, off);
} catch (err) {
  process.stderr.write(`${err.constructor?.name || 'Error'}: ${err.message}\n`);
  process.exit(1);
}
