#!/usr/bin/env node
// A minimal TUF 1.0 repository that tuf-js 5.0.1 accepts, built with node's crypto only.
//
//   TUFJS_DIR=DIR node make_test_repo.mjs --out REPO [--name fw.bin] [--content TEXT]
//       [--keytype ed25519|ecdsa|ecdsa-sha2-nistp256|rsa] [--public-encoding hex|pem]
//       [--spec-version 1.0.31] [--expires ISO] [--no-meta-hashes]
//
// Not a test by itself: it is the harness self-test's fixture (tufjs_lib.sh's functions
// are checked against it without any of our tools) and it documents, in running code,
// the exact shape tuf-js accepts. When tuf-js rejects a repository ota-manifest wrote,
// diff that repository against one made here.
//
// Layout written under REPO (consistent snapshots, TUF 1.0 section 4.4 / 5):
//   metadata/1.root.json        root v1, self-signed; also the client's trusted root
//   metadata/timestamp.json     the only unversioned file: clients fetch it by that name
//   metadata/1.snapshot.json    "VERSION.snapshot.json" because consistent_snapshot is true
//   metadata/1.targets.json     "VERSION.targets.json" likewise
//   targets/HASH.NAME           HASH = the first value of the target's "hashes" object
//                               (tuf-js: Object.values(hashes)[0]); here sha256 hex
// Prints one JSON line: {"repo":REPO,"trusted_root":...,"target":NAME,"length":N,"sha256":HEX}.
//
// What tuf-js 5.0.1 checks and fetches (read from its dist/ sources; see the report in
// tests/data/PROVENANCE.md's canonical JSON section for the canonical form itself):
// - Signatures are over canonicalize(signed) where `signed` is re-serialised from tuf-js's
//   model of the parsed JSON (Root.toJSON() etc.), not over the bytes received. Fields the
//   model does not know are kept ("unrecognizedFields"), so custom fields are signed too.
// - Key ids are NOT recomputed: any string works as a key id for tuf-js (our verifier
//   should recompute them). The threshold is counted over distinct key ids.
// - keytype "ed25519": keyval.public hex (32 bytes) or a PEM SPKI. keytype "ecdsa",
//   "ecdsa-sha2-nistp256" (and "ecdsa-sha2-nistp384"): keyval.public a PEM SPKI, or hex of
//   an uncompressed P-256 point (04||X||Y) which it wraps in a P-256 SPKI. keytype "rsa":
//   PEM only, and scheme must be "rsassa-pss-sha256". The scheme of ed25519/ecdsa keys is
//   not looked at. Verification is crypto.verify(undefined, ...): SHA-256 for EC and RSA,
//   ECDSA signatures must be DER (raw r||s fails), RSA-PSS salt length is not checked
//   (auto), Ed25519 is plain Ed25519. Signatures are hex strings.
// - spec_version: a string of 2 or 3 numeric dot-separated parts with major "1".
// - expires: compared as `now >= new Date(expires)`; an unparsable string is an Invalid
//   Date, and the comparison is then false, i.e. tuf-js treats it as NEVER expiring.
// - Lengths: root <= 512000 bytes, timestamp <= 16384, snapshot <= 2000000 (or the length
//   in timestamp's meta), targets <= 5000000 (or the length in snapshot's meta); a target
//   <= its signed length. "length" and "hashes" in meta are optional; when present they
//   are checked (a hash algorithm node does not know is an error).
// - Fetches, in order: METADATA/N.root.json for N = trusted+1, +2, ... until a 403/404
//   (so a repository that is up to date always answers one 404, e.g. 2.root.json);
//   METADATA/timestamp.json; METADATA/V.snapshot.json with V from timestamp;
//   METADATA/V.targets.json with V from snapshot; TARGETS/HASH.NAME.
import { createHash, generateKeyPairSync, sign, constants } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

import { requireInstalled } from './tufjs_modules.mjs';

const { canonicalize } = requireInstalled('@tufjs/canonical-json');

const { values: opt } = parseArgs({
  options: {
    out: { type: 'string' },
    name: { type: 'string', default: 'fw.bin' },
    content: { type: 'string', default: 'firmware image for the tuf-js harness self-test\n' },
    keytype: { type: 'string', default: 'ed25519' },
    'public-encoding': { type: 'string' },
    'spec-version': { type: 'string', default: '1.0.31' },
    expires: { type: 'string' },
    'no-meta-hashes': { type: 'boolean', default: false },
  },
  strict: true,
});
if (!opt.out) {
  process.stderr.write('usage: TUFJS_DIR=DIR node make_test_repo.mjs --out REPO [options]\n');
  process.exit(2);
}

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

// expires as the specification writes it: YYYY-MM-DDTHH:MM:SSZ (no fractional seconds).
const expiresIn = (days) =>
  opt.expires ?? new Date(Date.now() + days * 86400e3).toISOString().replace(/\.\d{3}Z$/, 'Z');

// One key: the public key object as it appears in root's "keys", its key id (SHA-256 of
// that object's canonical JSON), and a function signing bytes into a hex signature.
function makeKey() {
  const type = opt.keytype;
  let keyPair;
  let scheme;
  let publicValue;
  let signBytes;
  const pemPublic = (k) => k.export({ type: 'spki', format: 'pem' });
  if (type === 'ed25519') {
    keyPair = generateKeyPairSync('ed25519');
    scheme = 'ed25519';
    const spki = keyPair.publicKey.export({ type: 'spki', format: 'der' });
    publicValue = opt['public-encoding'] === 'pem' ? pemPublic(keyPair.publicKey)
      : spki.subarray(spki.length - 32).toString('hex'); // raw 32-byte key, hex (the spec's form)
    signBytes = (data) => sign(null, data, keyPair.privateKey);
  } else if (type === 'ecdsa' || type === 'ecdsa-sha2-nistp256') {
    keyPair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    scheme = 'ecdsa-sha2-nistp256';
    const spki = keyPair.publicKey.export({ type: 'spki', format: 'der' });
    publicValue = opt['public-encoding'] === 'hex'
      ? spki.subarray(spki.length - 65).toString('hex') // uncompressed point 04||X||Y
      : pemPublic(keyPair.publicKey); // PEM SPKI (python-securesystemslib's form)
    signBytes = (data) => sign('sha256', data, keyPair.privateKey); // DER ECDSA-Sig-Value
  } else if (type === 'rsa') {
    keyPair = generateKeyPairSync('rsa', { modulusLength: 3072 });
    scheme = 'rsassa-pss-sha256';
    publicValue = pemPublic(keyPair.publicKey); // tuf-js accepts RSA keys only as PEM
    signBytes = (data) => sign('sha256', data, {
      key: keyPair.privateKey,
      padding: constants.RSA_PKCS1_PSS_PADDING,
      saltLength: 32, // TUF: salt length = digest length
    });
  } else {
    throw new Error(`unknown --keytype ${type}`);
  }
  const publicKey = { keytype: type, scheme, keyval: { public: publicValue } };
  const keyid = sha256(Buffer.from(canonicalize(publicKey), 'utf8'));
  return { keyid, publicKey, sign: (data) => signBytes(data).toString('hex') };
}

// A metadata file: {"signatures":[{"keyid","sig"}],"signed":{...}}, the signature over the
// UTF-8 bytes of canonicalize(signed). The file itself need not be canonical; it is
// written pretty-printed here to show that tuf-js does not care.
function signedFile(signed, key) {
  const sig = key.sign(Buffer.from(canonicalize(signed), 'utf8'));
  return Buffer.from(JSON.stringify({ signatures: [{ keyid: key.keyid, sig }], signed }, null, 2) + '\n');
}

// What a snapshot/timestamp "meta" entry says about a file: version, length and hashes
// (the last two optional for tuf-js; we always write them by default).
function metaFor(version, bytes) {
  if (opt['no-meta-hashes']) return { version };
  return { version, length: bytes.length, hashes: { sha256: sha256(bytes) } };
}

const repo = path.resolve(opt.out);
const metadataDir = path.join(repo, 'metadata');
const targetsDir = path.join(repo, 'targets');
fs.mkdirSync(metadataDir, { recursive: true });
fs.mkdirSync(targetsDir, { recursive: true });

// One key per role (no key serves two roles), threshold 1.
const keys = {
  root: makeKey(), targets: makeKey(), snapshot: makeKey(), timestamp: makeKey(),
};
const specVersion = opt['spec-version'];

const root = {
  _type: 'root',
  spec_version: specVersion,
  version: 1,
  expires: expiresIn(365),
  consistent_snapshot: true,
  keys: Object.fromEntries(Object.values(keys).map((k) => [k.keyid, k.publicKey])),
  roles: Object.fromEntries(Object.entries(keys).map(([role, k]) => [role, { keyids: [k.keyid], threshold: 1 }])),
};
const rootBytes = signedFile(root, keys.root);

const content = Buffer.from(opt.content, 'utf8');
const contentHash = sha256(content);
const targets = {
  _type: 'targets',
  spec_version: specVersion,
  version: 1,
  expires: expiresIn(90),
  targets: {
    [opt.name]: {
      length: content.length,
      hashes: { sha256: contentHash },
      custom: { note: 'custom is signed but not interpreted by tuf-js' },
    },
  },
};
const targetsBytes = signedFile(targets, keys.targets);

const snapshot = {
  _type: 'snapshot',
  spec_version: specVersion,
  version: 1,
  expires: expiresIn(7),
  meta: { 'targets.json': metaFor(1, targetsBytes) }, // key is "targets.json", never "1.targets.json"
};
const snapshotBytes = signedFile(snapshot, keys.snapshot);

const timestamp = {
  _type: 'timestamp',
  spec_version: specVersion,
  version: 1,
  expires: expiresIn(1),
  meta: { 'snapshot.json': metaFor(1, snapshotBytes) },
};
const timestampBytes = signedFile(timestamp, keys.timestamp);

// Bottom-up, timestamp last (what a publisher must do so a reader never sees a
// timestamp naming a snapshot that is not there yet).
const { dir: nameDir, base: nameBase } = path.posix.parse(opt.name);
const targetFile = path.join(targetsDir, nameDir, `${contentHash}.${nameBase}`);
fs.mkdirSync(path.dirname(targetFile), { recursive: true });
fs.writeFileSync(targetFile, content);
fs.writeFileSync(path.join(metadataDir, '1.targets.json'), targetsBytes);
fs.writeFileSync(path.join(metadataDir, '1.snapshot.json'), snapshotBytes);
fs.writeFileSync(path.join(metadataDir, '1.root.json'), rootBytes);
fs.writeFileSync(path.join(metadataDir, 'timestamp.json'), timestampBytes);

process.stdout.write(JSON.stringify({
  repo,
  trusted_root: path.join(metadataDir, '1.root.json'),
  target: opt.name,
  length: content.length,
  sha256: contentHash,
}) + '\n');
