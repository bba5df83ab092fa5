#!/usr/bin/env bash
# ota-release emit against the CI engines it targets (issue 10 §3):
# - GitLab: the emitted child pipeline runs for real in gitlab-ci-local 4.64.0 (shell
#   executor): 3 shards in parallel, then merge; the published repository is byte-identical
#   to a single-shard build merged by hand.
# - GitHub: the emitted workflow passes @action-validator/cli 0.6.0 (and a broken copy does not).
# - Kubernetes: both Job documents validate against ci-engines/k8s-job.schema.json (the
#   documented batch/v1 fields), the shard Job is Indexed with one completion per shard and
#   reads its shard from JOB_COMPLETION_INDEX.
# Environment: OTA_RELEASE, OTA_KEYS, MAKE_PAIR, CLI_DIR, CI_ENGINES_CACHE (npm install dir).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
fail() { echo "FAIL: $*" >&2; exit 1; }
for tool in node npm rsync git flock python3; do command -v $tool >/dev/null || fail "$tool is not installed (ci/deps.sh test)"; done

# The pinned packages, installed once per build directory (npm ci of the lock).
cache=$(realpath -m "$CI_ENGINES_CACHE")
mkdir -p "$cache"
(
  flock 9
  want=$(cat "$here/ci-engines/package.json" "$here/ci-engines/package-lock.json" | sha256sum | cut -d' ' -f1)
  if [ ! -d "$cache/node_modules" ] || [ "$(cat "$cache/.lock.sha256" 2>/dev/null)" != "$want" ]; then
    cp "$here/ci-engines/package.json" "$here/ci-engines/package-lock.json" "$cache/"
    (cd "$cache" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error) >"$cache/npm-ci.log" 2>&1 ||
      { cat "$cache/npm-ci.log" >&2; exit 1; }
    echo "$want" >"$cache/.lock.sha256"
  fi
) 9>"$cache/.install.lock" || fail "npm ci of tests/interop/ci-engines failed"
glc=$cache/node_modules/.bin/gitlab-ci-local
validator=$cache/node_modules/.bin/action-validator
[ "$("$glc" --version)" = 4.64.0 ] || fail "gitlab-ci-local is not 4.64.0"

work=$(mktemp -d /tmp/ota-ci-engines.XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work"
source "$CLI_DIR/release_setup.sh"
release_setup
release_keys
export SOURCE_DATE_EPOCH=1764000000
"$OTA_RELEASE" plan --config rel/release.yaml --out plan 2>/dev/null || fail "plan"

# GitLab, for real.
"$OTA_RELEASE" emit --plan plan --engine gitlab --max-jobs 3 --tool "$OTA_RELEASE" --out .gitlab-ci.yml 2>/dev/null
git init -q . && git add -A && git -c user.email=ci@example.invalid -c user.name=ci commit -qm release
"$glc" --shell-isolation >glc.log 2>&1 || { cat glc.log >&2; fail "gitlab-ci-local failed"; }
[ "$(grep -c '^ PASS  deltas: \[[0-2]\]' glc.log)" = 3 ] || { cat glc.log >&2; fail "not 3 shard jobs"; }
grep -q '^ PASS  merge' glc.log || fail "no merge job"
"$OTA_RELEASE" build --plan plan --shard 0/1 --out single/shard-0 2>/dev/null
"$OTA_RELEASE" merge --plan plan --results single/shard-0 --repo single-repo 2>/dev/null
diff -r repo/metadata single-repo/metadata && diff -r repo/targets single-repo/targets ||
  fail "the pipeline's repository differs from a single-shard build"

# GitHub: the validator accepts ours and refuses a broken copy.
"$OTA_RELEASE" emit --plan plan --engine github --max-jobs 256 --out workflow.yml 2>/dev/null
"$validator" workflow.yml || fail "action-validator refuses the emitted workflow"
grep -q 'actions/download-artifact@v4' workflow.yml || fail "the plan is not passed as an artifact"
sed 's/^    runs-on: ubuntu-latest/    runs-on: [ubuntu-latest/' workflow.yml >broken.yml
if "$validator" broken.yml >/dev/null 2>&1; then fail "action-validator accepts a broken workflow"; fi

# Kubernetes: two documents, the first Indexed.
"$OTA_RELEASE" emit --plan plan --engine k8s --max-jobs 4 --out job.yaml 2>/dev/null
python3 - job.yaml "$here/ci-engines/k8s-job.schema.json" <<'PY'
import json, sys, yaml, jsonschema
docs = list(yaml.safe_load_all(open(sys.argv[1])))
schema = json.load(open(sys.argv[2]))
jsonschema.validators.validator_for(schema).check_schema(schema)
assert len(docs) == 2, f"{len(docs)} documents"
for d in docs:
    jsonschema.validate(d, schema)
shard = docs[0]["spec"]
assert shard["completionMode"] == "Indexed" and shard["completions"] == 4, shard
assert "$JOB_COMPLETION_INDEX/4" in shard["template"]["spec"]["containers"][0]["command"][2]
assert "completionMode" not in docs[1]["spec"]
bad = json.loads(json.dumps(docs[0])); bad["spec"]["completionMode"] = "indexed"
try:
    jsonschema.validate(bad, schema); raise SystemExit("the schema accepts completionMode 'indexed'")
except jsonschema.ValidationError:
    pass
PY
echo "ci engines: gitlab-ci-local ran 3 shards + merge, identical to one shard; GitHub workflow and k8s Jobs valid"
