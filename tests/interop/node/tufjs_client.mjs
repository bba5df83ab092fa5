#!/usr/bin/env node
// The independent TUF client of the interop tests: tuf-js's Updater run over HTTP
// against a repository we produced, exactly as an npm consumer would use it.
//
//   TUFJS_DIR=DIR node tufjs_client.mjs --metadata-url URL --targets-url URL \
//       --root TRUSTED_ROOT.json --dir CACHE_DIR --target NAME --out FILE
//   TUFJS_DIR=DIR node tufjs_client.mjs --refresh-only --metadata-url URL \
//       --root TRUSTED_ROOT.json --dir CACHE_DIR
//
// TUFJS_DIR is where tests/interop/tufjs_lib.sh's `tufjs_install` ran `npm ci`.
//
// CACHE_DIR is tuf-js's metadataDir: the trusted root is copied there as root.json
// only if root.json is absent, so a second run with the same CACHE_DIR starts from
// the metadata the first run trusted (root, timestamp, snapshot, targets), as a
// device does: that is what rollback and fast-forward tests need. Use a fresh
// CACHE_DIR for an independent run.
//
// Prints exactly one JSON line on stdout and nothing else:
//   {"ok":true,"client":"tuf-js@5.0.1","target":NAME,"length":N,"sha256":HEX}   exit 0
//   {"ok":true,"client":"tuf-js@5.0.1","refresh_only":true,
//    "versions":{"root":N,"timestamp":N,"snapshot":N,"targets":N}}          exit 0
//   {"ok":false,"client":"tuf-js@5.0.1","error":"ClassName: message"}      exit 1
//   {"ok":false,"client":...,"error":"UsageError: ..."}                    exit 2
// length and sha256 are of the file written to --out, computed here (not copied from
// the metadata). Exit 2 is a mistake in the test, never a verdict on the repository.
//
// --reference-time ISO (optional) replaces the "now" of tuf-js's expiry checks. tuf-js
// 5.0.1 has no clock option: this sets the Updater's TrustedMetadataStore.referenceTime
// (fixed when the Updater is constructed; see tuf-js/dist/store.js), so it depends on
// that internal and is checked to exist.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

import { installedVersion, requireInstalled } from './tufjs_modules.mjs';

class UsageError extends Error {}
class TargetNotFoundError extends Error {}

let client = 'tuf-js@unknown';

function emit(obj, code) {
  process.stdout.write(JSON.stringify(obj) + '\n');
  process.exitCode = code;
}

// "ClassName: message" on one line; tuf-js's error classes do not set .name, so the
// constructor's name is what identifies them (RepositoryError, BadVersionError, ...).
function describe(err) {
  if (!(err instanceof Error)) return `Error: ${String(err)}`;
  let text = `${err.constructor?.name || err.name || 'Error'}: ${err.message}`;
  if (err.cause !== undefined) text += ` (cause: ${describe(err.cause)})`;
  return text.replace(/\s*\n\s*/g, ' ');
}

function options() {
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        'metadata-url': { type: 'string' },
        'targets-url': { type: 'string' },
        root: { type: 'string' },
        dir: { type: 'string' },
        target: { type: 'string' },
        out: { type: 'string' },
        'refresh-only': { type: 'boolean', default: false },
        'reference-time': { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (err) {
    throw new UsageError(err.message);
  }
  const need = ['metadata-url', 'root', 'dir'];
  if (!parsed['refresh-only']) need.push('targets-url', 'target', 'out');
  for (const name of need) {
    if (!parsed[name]) throw new UsageError(`--${name} is required`);
  }
  if (!fs.existsSync(parsed.root)) throw new UsageError(`--root '${parsed.root}' does not exist`);
  if (parsed['reference-time'] !== undefined && Number.isNaN(Date.parse(parsed['reference-time']))) {
    throw new UsageError(`--reference-time '${parsed['reference-time']}' is not a date`);
  }
  return parsed;
}

async function sha256File(file) {
  const hash = createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk);
  return hash.digest('hex');
}

async function main() {
  let Updater;
  try {
    client = installedVersion('tuf-js');
    ({ Updater } = requireInstalled('tuf-js'));
  } catch (err) {
    throw new UsageError(`cannot load tuf-js: ${err.message}`);
  }
  const opt = options();

  const metadataDir = path.resolve(opt.dir);
  fs.mkdirSync(metadataDir, { recursive: true });
  const trusted = path.join(metadataDir, 'root.json');
  if (!fs.existsSync(trusted)) fs.copyFileSync(opt.root, trusted);
  // Only used by tuf-js when downloadTarget gets no file path; we always give one.
  const targetDir = path.join(metadataDir, 'targets');
  fs.mkdirSync(targetDir, { recursive: true });

  const updater = new Updater({
    metadataBaseUrl: opt['metadata-url'],
    targetBaseUrl: opt['targets-url'],
    metadataDir,
    targetDir,
  });
  if (opt['reference-time'] !== undefined) {
    const store = updater.trustedSet;
    if (!store || !(store.referenceTime instanceof Date)) {
      throw new UsageError('--reference-time: this tuf-js has no trustedSet.referenceTime');
    }
    store.referenceTime = new Date(opt['reference-time']);
  }

  await updater.refresh();

  if (opt['refresh-only']) {
    const store = updater.trustedSet;
    emit({
      ok: true,
      client,
      refresh_only: true,
      versions: {
        root: store.root.signed.version,
        timestamp: store.timestamp.signed.version,
        snapshot: store.snapshot.signed.version,
        targets: store.targets.signed.version,
      },
    }, 0);
    return;
  }

  const info = await updater.getTargetInfo(opt.target);
  if (!info) throw new TargetNotFoundError(`target '${opt.target}' is in no trusted targets metadata`);
  const out = path.resolve(opt.out);
  await updater.downloadTarget(info, out);
  const { size } = fs.statSync(out);
  emit({ ok: true, client, target: opt.target, length: size, sha256: await sha256File(out) }, 0);
}

process.on('unhandledRejection', (err) => {
  emit({ ok: false, client, error: describe(err) }, 1);
  process.exit(1);
});

try {
  await main();
} catch (err) {
  emit({ ok: false, client, error: describe(err) }, err instanceof UsageError ? 2 : 1);
}
