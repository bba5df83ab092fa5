#!/usr/bin/env node
// Writes the canonical JSON golden-vector INPUTS of this folder, byte for byte; needs
// nothing but node. The expected outputs are NOT made here: they are what
// @tufjs/canonical-json makes of each input (tests/interop/node/canonicalize.mjs), see
// tests/data/PROVENANCE.md, section "Canonical JSON golden vectors", for the commands.
//
//   node tests/data/canonical-json/make_inputs.mjs tests/data/canonical-json
//
// Layout:
//   NAME.json            inputs on which tuf-js and ota::json::canonical must agree
//   NAME.canonical       @tufjs/canonical-json's bytes for NAME.json (no trailing newline)
//   refused/NAME.json    inputs ota::json::canonical (or nlohmann's parser) must refuse;
//                        NAME.tufjs-out / NAME.tufjs-err record what tuf-js does instead
//   divergent/NAME.json  inputs where tuf-js's bytes differ from the OLPC canonical form
//                        our implementation writes (findings, not goldens);
//                        NAME.tufjs-out records tuf-js's bytes
//
// Inputs are written as literal text (not JSON.stringify of a value) so that the exact
// escapes and raw bytes in each file are visible here.
import fs from 'node:fs';
import path from 'node:path';

const out = process.argv[2];
if (!out) {
  process.stderr.write('usage: node make_inputs.mjs OUT_DIR\n');
  process.exit(2);
}

const files = {};

// --- agreed vectors -----------------------------------------------------------------

// Key order = byte order of the UTF-8 key = UTF-16 code-unit order, which agree for every
// key here (they differ only between U+E000..U+FFFF and astral characters: see divergent/).
// Upper case before lower case (ASCII), "" first, a prefix before its extensions, a key
// with NUL after its prefix, digits as strings ("10" < "9"), Latin-1, Greek, CJK, one
// astral key (sorted after all BMP keys below U+E000 in both orders), composed vs
// decomposed e-acute (no normalisation: "e\u0301" sorts with "e").
files['keys-sorted.json'] = `{
  "b": 1, "a": 2, "B": 3, "A": 4, "Z": 5, "z": 6, "_": 7, "~": 8,
  "": 9, "aa": 10, "a\\u0000": 11, "ab": 12, "a ": 13,
  "10": 14, "9": 15, "-1": 16,
  "\\u00e9": 17, "e\\u0301": 18, "e": 19, "\\u00c9": 20, "\\u00df": 21, "\\u00e4": 22,
  "\\u03a9": 23, "\\u03c9": 24, "\\u65e5\\u672c": 25, "\\u4e2d": 26,
  "\\ud83d\\ude00": 27, "\\u0000": 28, "\\u001f": 29, "\\u007f": 30,
  "\\"": 31, "\\\\": 32, "/": 33
}
`;

// Objects within arrays within objects; arrays keep their order; empty containers at
// every level; keys of inner objects sorted independently of the outer ones.
files['nested.json'] = `{
  "z": {"y": {"x": {"w": [3, 2, 1, {"b": [], "a": {}}]}}},
  "a": [[[]], [{}], [[{"k": [{"d": 4, "c": 3}]}]], {"nested": {"empty": {}, "list": []}}],
  "m": [{"b": 2, "a": 1}, {"a": 1, "b": 2}],
  "deep": [[[[[[[[[[[[[[[[[[[["bottom"]]]]]]]]]]]]]]]]]]]]
}
`;

files['empty-object.json'] = '{}\n';
files['empty-array.json'] = '[]\n';
files['empty-string.json'] = '""\n';

// Non-ASCII written raw (UTF-8 in the file): BMP (Latin-1, Greek, CJK, Arabic, Hebrew),
// astral (emoji, musical symbol, CJK extension B), combining sequences (e + U+0301,
// a + U+0308 + U+0301), emoji ZWJ sequence and skin-tone modifier, U+FEFF (BOM) and
// U+200B inside strings, U+2028/U+2029 (raw in canonical JSON, unlike JSON.stringify
// in old engines), U+FFFD and U+FFFF, U+E000 (private use).
files['unicode-raw.json'] = `{
  "latin": "caf\u00e9 \u00fc\u00df \u00c5ngstr\u00f6m",
  "greek": "\u03a9\u03bc\u03ad\u03b3\u03b1",
  "cjk": "\u65e5\u672c\u8a9e \u4e2d\u6587",
  "rtl": "\u0645\u0631\u062d\u0628\u0627 \u05e9\u05dc\u05d5\u05dd",
  "astral": "\u{1F600} \u{1D11E} \u{20000} \u{10FFFF}",
  "combining": "e\u0301 a\u0308\u0301 \u0915\u094D\u0937",
  "zwj": "\u{1F468}\u200D\u{1F469}\u200D\u{1F467} \u{1F44D}\u{1F3FD}",
  "invisible": "\uFEFFbom \u200Bzwsp",
  "separators": "line\u2028para\u2029end",
  "specials": "\uFFFD \uFFFF \uE000",
  "\u00e9t\u00e9": "key with raw non-ASCII",
  "\u{1F511}": "astral key"
}
`;

// The same characters as unicode-raw.json, written with \\u escapes only (astral ones as
// surrogate pairs, upper- and lower-case hex mixed): the canonical output is raw UTF-8,
// so unicode-escaped.canonical == unicode-raw.canonical.
files['unicode-escaped.json'] = `{
  "latin": "caf\\u00e9 \\u00fc\\u00df \\u00c5ngstr\\u00f6m",
  "greek": "\\u03A9\\u03bc\\u03AD\\u03b3\\u03B1",
  "cjk": "\\u65e5\\u672c\\u8a9e \\u4e2d\\u6587",
  "rtl": "\\u0645\\u0631\\u062d\\u0628\\u0627 \\u05e9\\u05dc\\u05d5\\u05dd",
  "astral": "\\ud83d\\ude00 \\uD834\\uDD1E \\ud840\\udc00 \\udbff\\udfff",
  "combining": "e\\u0301 a\\u0308\\u0301 \\u0915\\u094d\\u0937",
  "zwj": "\\ud83d\\udc68\\u200d\\ud83d\\udc69\\u200d\\ud83d\\udc67 \\ud83d\\udc4d\\ud83c\\udffd",
  "invisible": "\\ufeffbom \\u200bzwsp",
  "separators": "line\\u2028para\\u2029end",
  "specials": "\\ufffd \\uffff \\ue000",
  "\\u00e9t\\u00e9": "key with raw non-ASCII",
  "\\ud83d\\udd11": "astral key"
}
`;

// The only two escapes of canonical JSON: '"' -> \\" and '\\' -> \\\\. "\\/" in the input
// is just "/" (written raw); "/" stays "/". Runs of backslashes and quotes, a string
// that is only a backslash, a backslash before a quote, and escape-looking text.
files['escapes.json'] = `{
  "quote": "say \\"hi\\"",
  "backslash": "C:\\\\path\\\\to\\\\file",
  "only-backslash": "\\\\",
  "only-quote": "\\"",
  "backslash-quote": "\\\\\\"",
  "many": "\\\\\\\\\\"\\"\\\\",
  "solidus-escaped": "a\\/b\\/c",
  "solidus-raw": "a/b/c",
  "looks-escaped": "\\\\n \\\\u0041 \\\\t",
  "key\\"with\\\\escapes": "value",
  "</script>": "<\\/script>"
}
`;

// Every C0 control character U+0000..U+001F and DEL U+007F: canonical JSON writes them
// as raw bytes (0x00..0x1F, 0x7F), unescaped. Written here as \\u00XX escapes, each in
// its own string (array index = code point, then DEL), all in one string, the short
// escapes \\b \\f \\n \\r \\t, and as object keys.
{
  const hex = (n) => n.toString(16).padStart(4, '0');
  const cps = [...Array(32).keys(), 0x7f];
  const each = cps.map((c) => `"\\u${hex(c)}"`).join(', ');
  const all = cps.map((c) => `\\u${hex(c)}`).join('');
  const keys = cps.map((c, i) => `"k\\u${hex(c)}": ${i}`).join(', ');
  files['control-chars.json'] = `{
  "each": [${each}],
  "all": "${all}",
  "short": "\\b\\f\\n\\r\\t",
  "mixed": "line1\\nline2\\r\\n\\ttab \\u0000nul",
  "keys": {${keys}}
}
`;
}

// Integers both sides hold exactly: JS doubles are exact up to 2^53-1 = 9007199254740991,
// C++ int64/uint64 further (see divergent/ for what happens beyond). -0 is written "0"
// by both (JSON.stringify(-0) and nlohmann's integer 0).
files['integers.json'] = `{
  "zero": 0, "neg-zero": -0, "one": 1, "minus-one": -1,
  "int32-max": 2147483647, "int32-min": -2147483648, "uint32-max": 4294967295, "2^32": 4294967296,
  "max-safe": 9007199254740991, "min-safe": -9007199254740991,
  "2^53-2": 9007199254740990, "version": 1000, "length": 1048576,
  "list": [0, 1, -1, 9007199254740991, -9007199254740991, 10, 100, 1234567890123]
}
`;

files['literals.json'] = `{"t": true, "f": false, "n": null, "list": [true, false, null, [null], {"null": null}]}
`;
files['top-level-scalars.json'] = `[true, false, null, 0, -1, "", "x", [], {}]
`;

// Insignificant whitespace of every kind JSON allows (space, tab, LF, CR) between
// tokens; none of it survives, and whitespace inside strings is kept.
files['whitespace.json'] = '\r\n\t {\r\n\t "b" \t:\n [ 1 ,\r2\t, 3 ] ,\n\n "a"\t:\t{ }\r,"s" : " in side "\n}\r\n';

// A realistic root "signed" object: ed25519 (hex), ecdsa (PEM with raw newlines, which
// are written raw, and a trailing newline) and rsa (PEM) keys, as TUF signs them.
// Keys are public test values, not ours; ids are arbitrary 64-hex strings here.
files['tuf-root-signed.json'] = `{
  "_type": "root",
  "spec_version": "1.0.31",
  "version": 3,
  "expires": "2031-01-01T00:00:00Z",
  "consistent_snapshot": true,
  "keys": {
    "74c181c7c3cb9c0b2be42b5b1f3f3c2c8b0b1c0f5f6c7a3e2d1c0b9a8f7e4916": {
      "keytype": "ed25519",
      "scheme": "ed25519",
      "keyval": {"public": "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"}
    },
    "fc0c6487aaaabbbbccccddddeeeeffff00001111222233334444555566667777": {
      "keytype": "ecdsa",
      "scheme": "ecdsa-sha2-nistp256",
      "keyval": {"public": "-----BEGIN PUBLIC KEY-----\\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEiH0zuX3bbv6QIgiFh3fXqRwj8R1E\\nkRQpOGAjAsNSvMNUzxx5b0DFVtZykVBzfD5Q4XcRx3bbNAk3KULRmgi0Gw==\\n-----END PUBLIC KEY-----\\n"}
    },
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef": {
      "keytype": "rsa",
      "scheme": "rsassa-pss-sha256",
      "keyval": {"public": "-----BEGIN PUBLIC KEY-----\\nMIIBojANBgkqhkiG9w0BAQEFAAOCAY8AMIIBigKCAYEAxP/+notreal+0123456789\\nAQAB\\n-----END PUBLIC KEY-----\\n"}
    }
  },
  "roles": {
    "targets": {"keyids": ["fc0c6487aaaabbbbccccddddeeeeffff00001111222233334444555566667777"], "threshold": 1},
    "timestamp": {"keyids": ["0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"], "threshold": 1},
    "snapshot": {"keyids": ["0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"], "threshold": 1},
    "root": {"keyids": ["74c181c7c3cb9c0b2be42b5b1f3f3c2c8b0b1c0f5f6c7a3e2d1c0b9a8f7e4916", "fc0c6487aaaabbbbccccddddeeeeffff00001111222233334444555566667777"], "threshold": 2}
  }
}
`;

// A targets "signed" object with Uptane-like custom fields, target paths with "/" and
// non-ASCII, a delegation with paths, and large-but-safe lengths.
files['tuf-targets-signed.json'] = `{
  "_type": "targets",
  "spec_version": "1.0.31",
  "version": 42,
  "expires": "2030-06-30T12:00:00Z",
  "targets": {
    "fw/ecu-a/app-2.1.0.bin": {
      "length": 4294967296,
      "hashes": {"sha512": "00ff", "sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
      "custom": {
        "version": "2.1.0",
        "hardware_ids": ["ecu-a-rev2", "ecu-a-rev1"],
        "priority": "security",
        "deltas": {"2.0.0": {"name": "fw/ecu-a/app-2.0.0-2.1.0.bsdiff", "length": 123, "hashes": {"sha256": "ab"}, "algorithm": "bsdiff"}},
        "chunks": {"size": 65536, "sha256": ["aa", "bb", "cc"]},
        "release_counter": 7,
        "note": "Gr\u00fc\u00dfe \u2014 \\"quoted\\" \\\\ backslash"
      }
    },
    "fw/\u00e9cu-b/image.bin": {"length": 0, "hashes": {"sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}}
  },
  "delegations": {
    "keys": {},
    "roles": [{"name": "supplier-a", "keyids": [], "threshold": 1, "terminating": true, "paths": ["fw/ecu-a/*"]}]
  }
}
`;

// --- refused (our side refuses; tuf-js's behaviour recorded) --------------------------
files['refused/float-1.5.json'] = '{"version": 1.5}\n';
files['refused/float-1e3.json'] = '{"version": 1e3}\n';
files['refused/float-1.0.json'] = '{"version": 1.0}\n';
files['refused/float-small.json'] = '[1e-7]\n';
// Not floats but unparseable for nlohmann (our parser): a lone surrogate escape, which
// JSON.parse accepts and Buffer.from() turns into U+FFFD (EF BF BD).
files['refused/lone-surrogate.json'] = '["\\ud800"]\n';
// Integers nlohmann can only hold as doubles (so ota::json::canonical refuses them as
// floats); JSON.parse rounds them and JSON.stringify writes "18446744073709552000" and,
// from 1e21 on, exponent form ("1e+21").
files['refused/int-2p64.json'] = '[18446744073709551616]\n';
files['refused/int-1e21.json'] = '[1000000000000000000000]\n';

// --- divergent (tuf-js differs from OLPC canonical JSON / our implementation) ----------
// Integers beyond 2^53: JSON.parse rounds them to the nearest double before
// canonicalize() sees them; beyond 1e21 JSON.stringify switches to exponent form.
files['divergent/int-2p53-plus-1.json'] = '[9007199254740993]\n';
files['divergent/int64-max.json'] = '[9223372036854775807]\n';
files['divergent/int64-min.json'] = '[-9223372036854775808]\n';
files['divergent/uint64-max.json'] = '[18446744073709551615]\n';
// Key order: JS sorts by UTF-16 code units, so a key starting with an astral character
// (surrogate D800..DBFF) sorts BEFORE one starting with U+E000..U+FFFF; in UTF-8 byte
// (= code point) order, which python-securesystemslib and our implementation use, after.
files['divergent/key-order-astral-vs-high-bmp.json'] = '{"\\uff01": 1, "\\ud83d\\ude00": 2, "\\ue000": 3, "a": 4}\n';

for (const [name, text] of Object.entries(files)) {
  const file = path.join(out, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text, 'utf8');
}
process.stdout.write(`${Object.keys(files).length} inputs written to ${out}\n`);
