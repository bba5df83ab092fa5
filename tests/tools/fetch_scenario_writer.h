// Writes RepoSim states to disk for the tuf-js parity harness (tests/interop/fetch_parity.sh):
// one directory per scenario with root.json (the device's trust anchor), steps/N/metadata/
// and steps/N/targets/ (repository states in order, file names as tests/cli/repo_server.py
// maps requests to disk), and `plan`, one line per step: "N TARGET EXPECT", preceded by
// "# why" for an expected divergence between the clients. steps/N/target.sha256 holds
// the SHA-256 (hex) of the bytes a client that accepts step N must have downloaded.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <sstream>
#include <string>

#include "fakes/repo_sim.h"
#include "metadata/envelope.h"

namespace ota::testing {

// What both clients must do at a step. The two divergences are ours being stricter than
// tuf-js (docs/notes/ota-fetch-gaps.md §7); there is no "ours-accept-tufjs-reject" case
// in the known list, and the harness accepts it only when a plan says so.
enum class Expect { accept, reject, ours_reject_tufjs_accept, ours_accept_tufjs_reject };

class ScenarioWriter {
 public:
  // A fresh RepoSim (consistent snapshots, one ed25519 key per role) at `now`, whose first
  // root becomes OUT/name/root.json.
  ScenarioWriter(const std::filesystem::path& out, std::string name, metadata::Time now);

  RepoSim sim;
  // Files served instead of what `sim` holds, for the next step only: metadata by the
  // file name as requested once decoded ("timestamp.json", "2.snapshot.json"), targets
  // by the path as requested ("dir/HASH.name").
  std::map<std::string, std::string> metadata_override;
  std::map<std::string, std::string> target_override;

  // Writes the repository as it is now as the next step, and its plan line. `why` is
  // required for a divergence.
  void step(const std::string& target, Expect expect, const std::string& why = "");

  // Pins the root the device starts with to the currently published version 1 (done by
  // the constructor; call again after rewriting root version 1).
  void pin_initial_root();

 private:
  void write_metadata(const std::filesystem::path& dir) const;
  void write_targets(const std::filesystem::path& dir) const;

  std::filesystem::path dir_;
  std::string name_;
  int steps_ = 0;
  std::ostringstream plan_;
};

// The file name repo_server.py serves for one decoded path segment.
std::string disk_name(const std::string& segment);

// ---- what the scenario files share

using Scenario = std::function<void(ScenarioWriter&)>;
using ScenarioList = std::vector<std::pair<std::string, Scenario>>;
ScenarioList basic_scenarios();       // fetch_scenarios.cc: honest, root chains
ScenarioList attack_scenarios();      // fetch_scenarios_attacks.cc: rollback, expiry, hashes, keys
ScenarioList delegation_scenarios();  // fetch_scenarios_delegations.cc

inline constexpr metadata::Time kDay = 86400;
inline const std::string kFile = "file.txt";

std::string sha256_hex(const std::string& bytes);
metadata::Envelope envelope_of(const std::string& bytes);
// The usual repository: `kFile` in the top-level targets, published (all roles at 2).
void with_file(ScenarioWriter& w, const std::string& bytes = "content of file.txt");
// Serves `bytes` for `path` at the next step under the name a consistent-snapshot URL of
// a target listed with `bytes` uses, beside the one artifact the simulator keeps per
// path: two roles listing one path with different contents.
void serve_also(ScenarioWriter& w, const std::string& path, const std::string& bytes);

}  // namespace ota::testing
