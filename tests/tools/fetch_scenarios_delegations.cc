// Delegation scenarios for fetch_scenarios (modelled on the suite's
// test_updater_delegation_graphs.py, test_quoting_issues.py and the succinct-bin tests;
// unit ports in updater_conformance_test.cc).
#include "fetch_scenario_writer.h"

namespace ota::testing {
namespace {

using nlohmann::json;
constexpr auto kAccept = Expect::accept;
constexpr auto kReject = Expect::reject;

// A delegation "targets" -> `name` listing kFile, for role names the client must quote.
Scenario unusual_name(const std::string& name) {
  return [name](ScenarioWriter& w) {
    w.sim.add_delegation("targets", name);
    w.sim.add_target(name, kFile, "listed by '" + name + "'");
    w.sim.publish({name, "targets", "snapshot", "timestamp"});
    w.step(kFile, kAccept);
  };
}

}  // namespace

ScenarioList delegation_scenarios() {
  return {
      {"delegation-preorder-first-match",
       [](ScenarioWriter& w) {
         // Both list kFile, with different bytes: A, delegated first, decides.
         w.sim.add_delegation("targets", "A");
         w.sim.add_delegation("targets", "B");
         w.sim.add_target("B", kFile, "from B");
         w.sim.add_target("A", kFile, "from A");
         w.sim.publish({"A", "B", "targets", "snapshot", "timestamp"});
         serve_also(w, kFile, "from B");
         w.step(kFile, kAccept);
       }},
      {"delegation-two-level-depth-first",
       [](ScenarioWriter& w) {
         // targets -> A -> C, targets -> B: C (under A) comes before B.
         w.sim.add_delegation("targets", "A");
         w.sim.add_delegation("targets", "B");
         w.sim.add_delegation("A", "C");
         w.sim.add_target("B", kFile, "from B");
         w.sim.add_target("C", kFile, "from C");
         w.sim.publish({"C", "A", "B", "targets", "snapshot", "timestamp"});
         serve_also(w, kFile, "from B");
         w.step(kFile, kAccept);
       }},
      {"delegation-terminating-hides-later",
       [](ScenarioWriter& w) {
         w.sim.add_delegation("targets", "A", {.terminating = true});
         w.sim.add_delegation("targets", "B");
         w.sim.add_target("B", kFile, "from B");
         w.sim.publish({"A", "B", "targets", "snapshot", "timestamp"});
         w.step(kFile, kReject);
       }},
      {"delegation-non-matching-path",
       [](ScenarioWriter& w) {
         // A lists kFile outside its paths: ignored; B's copy is the one.
         w.sim.add_delegation("targets", "A", {.paths = {"nomatch/*"}});
         w.sim.add_delegation("targets", "B");
         w.sim.add_target("A", kFile, "from A");
         w.sim.add_target("B", kFile, "from B");
         w.sim.publish({"A", "B", "targets", "snapshot", "timestamp"});
         serve_also(w, kFile, "from A");
         w.step(kFile, kAccept);
       }},
      {"delegation-cycle",
       [](ScenarioWriter& w) {
         w.sim.add_delegation("targets", "A");
         w.sim.add_delegation("A", "B");
         w.sim.add_delegation("B", "A");
         w.sim.add_target("B", kFile, "from B");
         w.sim.publish({"A", "B", "targets", "snapshot", "timestamp"});
         w.step(kFile, kAccept);
         w.step("missing.txt", kReject);
       }},
      {"delegation-path-hash-prefixes",
       [](ScenarioWriter& w) {
         const std::string h = sha256_hex("foo");
         const std::string other(1, h[0] == '0' ? '1' : '0');
         w.sim.add_delegation("targets", "B", {.paths = {}, .path_hash_prefixes = {other}});
         w.sim.add_delegation("targets", "A", {.paths = {}, .path_hash_prefixes = {h.substr(0, 2), other}});
         w.sim.add_target("A", "foo", "foo content");
         w.sim.publish({"A", "B", "targets", "snapshot", "timestamp"});
         w.step("foo", kAccept);
         w.step("bar", kReject);
       }},
      {"delegation-patterns-star-question",
       [](ScenarioWriter& w) {
         // '*' and '?' match within one path segment only (spec §4.5).
         w.sim.add_delegation("targets", "A", {.paths = {"dir/*.bin", "f?o"}});
         for (const char* p : {"dir/x.bin", "dir/sub/x.bin", "fxo", "f/o"}) w.sim.add_target("A", p, p);
         w.sim.publish({"A", "targets", "snapshot", "timestamp"});
         w.step("dir/x.bin", kAccept);
         w.step("dir/sub/x.bin", kReject);
         w.step("fxo", kAccept);
         w.step("f/o", kReject);
       }},
      {"delegation-succinct-bins-8",
       [](ScenarioWriter& w) {
         std::vector<std::string> roles = w.sim.add_succinct_roles("targets", 8, "bin");
         w.sim.add_target("bin-fc", "bar", "bar content");  // sha256("bar") starts with fc
         for (const char* top : {"targets", "snapshot", "timestamp"}) roles.push_back(top);
         w.sim.publish(roles);
         w.step("bar", kAccept);
       }},
      {"delegation-role-missing-from-snapshot",
       [](ScenarioWriter& w) {
         w.sim.add_delegation("targets", "A");
         w.sim.add_delegation("targets", "B");
         w.sim.add_target("B", kFile, "from B");
         w.sim.publish({"A", "B", "targets", "snapshot", "timestamp"});
         w.sim.mds["snapshot"]["meta"].erase("A.json");
         w.sim.publish({"snapshot", "timestamp"});
         w.step(kFile, kReject);
       }},
      {"delegation-expired-role",
       [](ScenarioWriter& w) {
         w.sim.add_delegation("targets", "A");
         w.sim.add_target("A", kFile, "from A");
         w.sim.set_expires("A", w.sim.now - kDay);
         w.sim.publish({"A", "targets", "snapshot", "timestamp"});
         w.step(kFile, kReject);
       }},
      {"delegation-role-rollback",
       [](ScenarioWriter& w) {
         w.sim.add_delegation("targets", "A");
         w.sim.add_target("A", kFile, "from A");
         w.sim.publish({"A", "targets", "snapshot", "timestamp"});
         w.sim.publish({"A", "snapshot", "timestamp"});
         w.step(kFile, kAccept);
         w.sim.mds["snapshot"]["meta"]["A.json"] = {{"version", 1}};
         w.sim.publish({"snapshot", "timestamp"});
         w.step(kFile, kReject);
       }},
      {"role-name-question-mark", unusual_name("?")},
      {"role-name-hash", unusual_name("#")},
      {"role-name-leading-slash", unusual_name("/delegatedrole")},
      {"role-name-dotdot-slash", unusual_name("../delegatedrole")},
      {"role-name-percent", unusual_name("%")},
      {"delegated-role-named-timestamp",
       [](ScenarioWriter& w) {
         // A targets file served as "1.timestamp.json", signed by the delegated key.
         const SimKey k = make_sim_key();
         json impostor = w.sim.mds["targets"];
         impostor["version"] = 1;
         impostor["targets"][kFile] = {{"length", 4}, {"hashes", {{"sha256", sha256_hex("evil")}}}};
         w.sim.mds["targets"]["delegations"] = {
             {"keys", {{k.id, k.object}}},
             {"roles", json::array({{{"name", "timestamp"}, {"keyids", {k.id}}, {"threshold", 1},
                                     {"terminating", false}, {"paths", {"*"}}}})}};
         w.sim.mds["snapshot"]["meta"]["timestamp.json"] = {{"version", 1}};
         w.sim.publish({"targets", "snapshot", "timestamp"});
         w.metadata_override["1.timestamp.json"] = w.sim.sign(impostor, {k});
         w.sim.artifacts[kFile] = {"evil", {{"sha256", sha256_hex("evil")}}};
         w.step(kFile, kReject);
       }},
  };
}

}  // namespace ota::testing
