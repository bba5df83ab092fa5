// Rollback, fast-forward recovery, expiry, hash and key scenarios for fetch_scenarios
// (modelled on the suite's test_rollback.py, test_expiration.py, test_basic.py,
// test_keys.py, test_file_download.py; unit ports in updater_conformance_test.cc).
#include "fetch_scenario_writer.h"

namespace ota::testing {
namespace {

using nlohmann::json;
constexpr auto kAccept = Expect::accept;
constexpr auto kReject = Expect::reject;

// Step 1 honest; step 2 the same repository with `role` expired and re-published.
Scenario expired(const std::string& role) {
  return [role](ScenarioWriter& w) {
    with_file(w);
    w.step(kFile, kAccept);
    w.sim.set_expires(role, w.sim.now - kDay);
    if (role == "targets") w.sim.publish({"targets"});
    if (role != "timestamp") w.sim.publish({"snapshot"});
    w.sim.publish({"timestamp"});
    w.step(kFile, kReject);
  };
}

// Step 1 honest; step 2 serves a validly signed `role` (snapshot or targets) at the
// version its parent lists, other than the bytes whose hash the parent lists.
Scenario meta_hash_mismatch(const std::string& role) {
  return [role](ScenarioWriter& w) {
    w.sim.with_hashes_and_length = true;
    with_file(w);
    w.step(kFile, kAccept);
    if (role == "targets") w.sim.publish({"targets"});
    w.sim.publish({"snapshot", "timestamp"});
    w.sim.set_expires(role, w.sim.now + 20 * kDay);
    w.metadata_override[std::to_string(w.sim.version(role)) + "." + role + ".json"] = w.sim.sign(role);
    w.step(kFile, kReject);
  };
}

// `role` (snapshot or targets) served as "2.ROLE.json", as its parent lists, but
// saying version 3 inside.
Scenario url_version_mismatch(const std::string& role) {
  return [role](ScenarioWriter& w) {
    with_file(w);
    w.sim.set_version(role, 3);
    w.sim.publish_as(role, 2);
    if (role == "targets") w.sim.publish({"snapshot"});
    w.sim.publish({"timestamp"});
    w.step(kFile, kReject);
  };
}

// The current snapshot with its signatures edited by `edit`, served for its version.
void serve_edited_snapshot(ScenarioWriter& w, const std::function<void(metadata::Envelope&)>& edit) {
  metadata::Envelope env = envelope_of(w.sim.current.at("snapshot"));
  edit(env);
  w.metadata_override[std::to_string(w.sim.version("snapshot")) + ".snapshot.json"] = metadata::serialize(env);
}

}  // namespace

ScenarioList attack_scenarios() {
  return {
      // ---- rollback across steps
      {"timestamp-rollback",
       [](ScenarioWriter& w) {
         with_file(w);
         w.sim.publish({"timestamp"});
         w.step(kFile, kAccept);
         w.metadata_override["timestamp.json"] = w.sim.published.at("timestamp").at(2);
         w.step(kFile, kReject);
       }},
      {"snapshot-rollback",
       [](ScenarioWriter& w) {
         with_file(w);
         w.step(kFile, kAccept);
         w.sim.mds["timestamp"]["meta"]["snapshot.json"] = {{"version", 1}};
         w.sim.publish({"timestamp"});
         w.step(kFile, kReject);
       }},
      {"targets-rollback",
       [](ScenarioWriter& w) {
         with_file(w);
         w.step(kFile, kAccept);
         w.sim.mds["snapshot"]["meta"]["targets.json"] = {{"version", 1}};
         w.sim.publish({"snapshot", "timestamp"});
         w.step(kFile, kReject);
       }},
      {"timestamp-equal-version-other-content",
       [](ScenarioWriter& w) {
         with_file(w);
         w.step(kFile, kAccept);
         w.sim.set_expires("timestamp", w.sim.now + 40 * kDay);
         w.sim.publish({"timestamp"}, false);
         w.step(kFile, kAccept);
       }},

      // ---- fast-forward recovery (spec 5.3.11): the attacker's high version, then new keys
      {"fast-forward-timestamp",
       [](ScenarioWriter& w) {
         with_file(w);
         w.sim.set_version("timestamp", 99999);
         w.sim.publish({"timestamp"}, false);
         w.step(kFile, kAccept);
         w.sim.rotate_keys("timestamp");
         w.sim.publish({"root"});
         w.sim.set_version("timestamp", 1);
         w.sim.publish({"timestamp"}, false);
         w.step(kFile, kAccept);
       }},
      {"fast-forward-snapshot",
       [](ScenarioWriter& w) {
         with_file(w);
         w.sim.set_version("snapshot", 99999);
         w.sim.publish({"snapshot"}, false);
         w.sim.publish({"timestamp"});
         w.step(kFile, kAccept);
         w.sim.rotate_keys("snapshot");
         w.sim.rotate_keys("timestamp");
         w.sim.publish({"root"});
         w.sim.set_version("snapshot", 1);
         w.sim.publish({"snapshot"}, false);
         w.sim.publish({"timestamp"});
         w.step(kFile, kAccept);
       }},
      {"fast-forward-targets",
       [](ScenarioWriter& w) {
         with_file(w);
         w.sim.set_version("targets", 99999);
         w.sim.publish({"targets"}, false);
         w.sim.publish({"snapshot", "timestamp"});
         w.step(kFile, kAccept);
         w.sim.rotate_keys("snapshot");
         w.sim.rotate_keys("timestamp");
         w.sim.publish({"root"});
         w.sim.set_version("targets", 1);
         w.sim.publish({"targets"}, false);
         w.sim.publish({"snapshot", "timestamp"});
         w.step(kFile, kAccept);
       }},

      // ---- expiry (a date in the past, no fake clock)
      {"expired-timestamp", expired("timestamp")},
      {"expired-snapshot", expired("snapshot")},
      {"expired-targets", expired("targets")},

      // ---- version inside differs from the URL's; hashes listed in the parent
      {"snapshot-url-version-mismatch", url_version_mismatch("snapshot")},
      {"targets-url-version-mismatch", url_version_mismatch("targets")},
      {"snapshot-hash-mismatch", meta_hash_mismatch("snapshot")},
      {"targets-hash-mismatch", meta_hash_mismatch("targets")},

      // ---- targets
      {"target-hash-mismatch",
       [](ScenarioWriter& w) {
         with_file(w, "the signed bytes");
         w.sim.artifacts.at(kFile).bytes = "other bytes 0016";  // the signed length, another hash
         w.step(kFile, kReject);
       }},
      {"target-longer-than-signed",
       [](ScenarioWriter& w) {
         with_file(w);
         w.sim.artifacts.at(kFile).bytes += "!";
         w.step(kFile, kReject);
       }},
      {"target-unknown-hash-algorithm",
       [](ScenarioWriter& w) {
         w.sim.add_target("targets", kFile, "hello");
         w.sim.mds["targets"]["targets"][kFile]["hashes"]["sha3-999"] = std::string(64, '0');
         w.sim.publish({"targets", "snapshot", "timestamp"});
         w.step(kFile, kReject);
       }},
      {"target-empty-hashes",
       [](ScenarioWriter& w) {
         // Without consistent snapshots: tuf-js would otherwise ask for "undefined.file.txt".
         w.sim.set_consistent_snapshot(false);
         w.sim.publish({"root"}, false);
         w.pin_initial_root();
         w.sim.add_target("targets", kFile, "hello");
         w.sim.mds["targets"]["targets"][kFile]["hashes"] = json::object();
         w.sim.publish({"targets", "snapshot", "timestamp"});
         w.step(kFile, Expect::ours_reject_tufjs_accept,
                "hashes {} (gaps §7): ours refuses a target with no hash; tuf-js checks only its length");
       }},

      // ---- keys and signatures
      {"timestamp-unsigned",
       [](ScenarioWriter& w) {
         with_file(w);
         w.sim.signers["timestamp"].clear();
         w.sim.publish({"timestamp"});
         w.step(kFile, kReject);
       }},
      {"timestamp-wrong-type",
       [](ScenarioWriter& w) {
         with_file(w);
         w.metadata_override["timestamp.json"] = w.sim.sign(w.sim.mds["snapshot"], w.sim.signers["timestamp"]);
         w.step(kFile, kReject);
       }},
      {"snapshot-below-threshold",
       [](ScenarioWriter& w) {
         with_file(w);
         w.sim.add_key("snapshot");
         w.sim.mds["root"]["roles"]["snapshot"]["threshold"] = 2;
         w.sim.publish({"root"});
         w.sim.signers["snapshot"].pop_back();
         w.sim.publish({"snapshot", "timestamp"});
         w.step(kFile, kReject);
       }},
      {"unknown-key-signature-beside-valid",
       [](ScenarioWriter& w) {
         with_file(w);
         w.sim.signers["snapshot"].push_back(make_sim_key());
         w.sim.signers["targets"].push_back(make_sim_key());
         w.sim.publish({"targets", "snapshot", "timestamp"});
         w.step(kFile, kAccept);
       }},
      {"keyid-listed-twice-in-role",
       [](ScenarioWriter& w) {
         with_file(w);
         json& ids = w.sim.mds["root"]["roles"]["snapshot"]["keyids"];
         ids.push_back(ids[0]);
         w.sim.publish({"root"});
         w.step(kFile, kReject);
       }},
      {"one-key-two-keyids-threshold-2",
       [](ScenarioWriter& w) {
         with_file(w);
         json& root = w.sim.mds["root"];
         const std::string id = root["roles"]["snapshot"]["keyids"][0];
         const std::string alias(64, 'a');
         root["keys"][alias] = root["keys"][id];
         root["roles"]["snapshot"] = {{"keyids", {id, alias}}, {"threshold", 2}};
         w.sim.publish({"root", "snapshot", "timestamp"});
         serve_edited_snapshot(w, [&](metadata::Envelope& env) { env.signatures.push_back({alias, env.signatures[0].sig}); });
         w.step(kFile, Expect::ours_reject_tufjs_accept,
                "one key under two key ids (gaps §7, checklist 17): ours counts key material, tuf-js key ids");
       }},
      {"duplicate-signature-keyids",
       [](ScenarioWriter& w) {
         with_file(w);
         // Both refuse the file. gaps §7 lists this as a divergence ("folded"), but
         // @tufjs/models 4.1.1 (tuf-js 5.0.1) Metadata.fromJSON throws "multiple
         // signatures found for keyid", as the spec's "MUST be unique" asks.
         serve_edited_snapshot(w, [](metadata::Envelope& env) { env.signatures.push_back(env.signatures[0]); });
         w.step(kFile, kReject);
       }},
  };
}

}  // namespace ota::testing
