// The build work as a pipeline for the CI engine a team already runs (`ota-release emit`,
// issue 10 §2-3, docs/ci.md): K shard jobs that each run `ota-release build --shard I/K`,
// then one merge job. K is the smallest of --max-jobs, the engine's matrix limit and the
// number of items. The plan directory travels as an artifact, never as a job output.
#pragma once

#include <cstdint>
#include <string>

#include "core/result.h"
#include "release/plan_dir.h"

namespace ota::release {

enum class Engine { gitlab, github, k8s };

inline constexpr size_t kGitlabMatrixLimit = 200;  // parallel:matrix jobs per pipeline job
inline constexpr size_t kGithubMatrixLimit = 256;  // jobs per workflow matrix
inline constexpr size_t kK8sDefaultShards = 100;   // completions (no hard limit; a sane default)

struct EmitOptions {
  Engine engine = Engine::gitlab;
  size_t max_jobs = 0;                 // 0: the engine's limit
  std::string plan_path = "plan";      // the plan directory as the jobs see it
  std::string tool = "ota-release";    // the command the jobs run
  std::string repo = "repo";           // where merge publishes
  std::string image = "debian:12";     // k8s: the container image that has `tool`
  std::string volume_claim = "ota-release-work";  // k8s: a PVC holding the checkout and plan
};

struct Emitted {
  std::string text;  // the pipeline file
  size_t shards = 0, items = 0, limit = 0;
};

size_t engine_limit(Engine engine);
Result<Emitted> emit_pipeline(const LoadedPlan& plan, const EmitOptions& options, const std::string& tool_version);

}  // namespace ota::release
