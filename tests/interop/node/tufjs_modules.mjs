// Loads the npm packages pinned by package-lock.json in this folder.
//
// They are never installed here: tests/interop/tufjs_lib.sh (`tufjs_install DIR`) runs
// `npm ci` in a build directory and exports TUFJS_DIR=DIR. The scripts stay in the
// source tree and load the packages from there; all of them are CommonJS, so a
// require() rooted at DIR finds them (ESM `import` would only search upwards from
// the script's own folder).
import { createRequire } from 'node:module';
import path from 'node:path';

let cached;
// require(name) resolved from $TUFJS_DIR/node_modules.
export function requireInstalled(name) {
  if (!cached) {
    const dir = process.env.TUFJS_DIR;
    if (!dir) {
      throw new Error('TUFJS_DIR is not set (source tests/interop/tufjs_lib.sh and run tufjs_install DIR)');
    }
    cached = createRequire(path.join(path.resolve(dir), 'package.json'));
  }
  return cached(name);
}

// "name@version" as the installed package.json says (tuf-js and @tufjs/* have no
// "exports" map, so their package.json can be required directly).
export function installedVersion(name) {
  return `${name}@${requireInstalled(`${name}/package.json`).version}`;
}
