#!/usr/bin/env node
// tufjs_client.mjs for many jobs in one process, so a harness pays node's start-up and
// tuf-js's import once (tests/interop/fetch_parity.sh).
//
//   TUFJS_DIR=DIR node tufjs_batch.mjs JOBS.json
//
// JOBS.json is an array of {"metadata_url", "targets_url", "root", "dir", "target",
// "out"}; each job is what one `tufjs_client.mjs --metadata-url ... --targets-url ...
// --root ... --dir ... --target ... --out ...` run does: a new Updater over the cache dir
// `dir` (root.json copied in only when absent, so jobs naming the same dir share state
// like a device's successive runs), refresh, getTargetInfo, downloadTarget to `out`.
// Jobs run one after the other, in order.
//
// Prints one JSON line per job, in order, as tufjs_client.mjs does:
//   {"ok":true,"client":"tuf-js@5.0.1","target":NAME,"length":N,"sha256":HEX}
//   {"ok":false,"client":"tuf-js@5.0.1","error":"ClassName: message"}
// then exits 0. A job naming no target or root is a mistake in the harness: exit 2
// before any job runs, with {"ok":false,...,"error":"UsageError: ..."}.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

import { installedVersion, requireInstalled } from './tufjs_modules.mjs';

class UsageError extends Error {}
class TargetNotFoundError extends Error {}

let client = 'tuf-js@unknown';

function describe(err) {
  if (!(err instanceof Error)) return `Error: ${String(err)}`;
  let text = `${err.constructor?.name || err.name || 'Error'}: ${err.message}`;
  if (err.cause !== undefined) text += ` (cause: ${describe(err.cause)})`;
  return text.replace(/\s*\n\s*/g, ' ');
}

async function sha256File(file) {
  const hash = createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk);
  return hash.digest('hex');
}

function loadJobs(file) {
  let jobs;
  try {
    jobs = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UsageError(`cannot read jobs '${file}': ${err.message}`);
  }
  if (!Array.isArray(jobs)) throw new UsageError('the jobs file must hold a JSON array');
  jobs.forEach((job, i) => {
    for (const key of ['metadata_url', 'targets_url', 'root', 'dir', 'target', 'out']) {
      if (typeof job?.[key] !== 'string' || job[key] === '') {
        throw new UsageError(`job ${i}: "${key}" must be a non-empty string`);
      }
    }
    if (!fs.existsSync(job.root)) throw new UsageError(`job ${i}: root '${job.root}' does not exist`);
  });
  return jobs;
}

async function runJob(Updater, job) {
  const metadataDir = path.resolve(job.dir);
  fs.mkdirSync(metadataDir, { recursive: true });
  const trusted = path.join(metadataDir, 'root.json');
  if (!fs.existsSync(trusted)) fs.copyFileSync(job.root, trusted);
  const targetDir = path.join(metadataDir, 'targets');
  fs.mkdirSync(targetDir, { recursive: true });

  const updater = new Updater({
    metadataBaseUrl: job.metadata_url,
    targetBaseUrl: job.targets_url,
    metadataDir,
    targetDir,
  });
  await updater.refresh();
  const info = await updater.getTargetInfo(job.target);
  if (!info) throw new TargetNotFoundError(`target '${job.target}' is in no trusted targets metadata`);
  const out = path.resolve(job.out);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  await updater.downloadTarget(info, out);
  const { size } = fs.statSync(out);
  return { ok: true, client, target: job.target, length: size, sha256: await sha256File(out) };
}

async function main() {
  let Updater;
  let jobs;
  try {
    client = installedVersion('tuf-js');
    ({ Updater } = requireInstalled('tuf-js'));
    if (process.argv.length !== 3) throw new UsageError('usage: tufjs_batch.mjs JOBS.json');
    jobs = loadJobs(process.argv[2]);
  } catch (err) {
    const usage = err instanceof UsageError ? err : new UsageError(`cannot load tuf-js: ${err.message}`);
    process.stdout.write(JSON.stringify({ ok: false, client, error: describe(usage) }) + '\n');
    process.exitCode = 2;
    return;
  }
  for (const job of jobs) {
    let line;
    try {
      line = await runJob(Updater, job);
    } catch (err) {
      line = { ok: false, client, error: describe(err) };
    }
    process.stdout.write(JSON.stringify(line) + '\n');
  }
}

// A rejection no job awaited (a stream error) would otherwise end the batch silently
// with lines missing: the harness counts the lines, this says why.
process.on('unhandledRejection', (err) => {
  process.stderr.write(`tufjs_batch.mjs: unhandled rejection: ${describe(err)}\n`);
  process.exit(2);
});

await main();
