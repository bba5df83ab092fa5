#include "fetch_scenario_writer.h"

#include <fstream>
#include <stdexcept>

#include "core/hex.h"
#include "crypto/sha256.h"

namespace ota::testing {
namespace {

namespace fs = std::filesystem;

void write_file(const fs::path& p, const std::string& bytes) {
  fs::create_directories(p.parent_path());
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << bytes;
  if (!out) throw std::runtime_error("cannot write '" + p.string() + "'");
}

const char* to_string(Expect e) {
  switch (e) {
    case Expect::accept: return "accept";
    case Expect::reject: return "reject";
    case Expect::ours_reject_tufjs_accept: return "ours-reject-tufjs-accept";
    case Expect::ours_accept_tufjs_reject: return "ours-accept-tufjs-reject";
  }
  return "?";
}

// A target path as a relative on-disk path: one disk_name per '/'-separated segment.
fs::path target_file(const std::string& path) {
  fs::path out;
  size_t start = 0;
  for (;;) {
    const size_t slash = path.find('/', start);
    const std::string seg = path.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (!seg.empty()) out /= disk_name(seg);
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return out;
}

}  // namespace

std::string disk_name(const std::string& segment) {
  if (segment == ".") return "%2E";
  if (segment == "..") return "%2E%2E";
  std::string out;
  for (char c : segment) {
    if (c == '%')
      out += "%25";
    else if (c == '/')
      out += "%2F";
    else if (c == '\0')
      out += "%00";
    else
      out += c;
  }
  return out;
}

ScenarioWriter::ScenarioWriter(const fs::path& out, std::string name, metadata::Time now)
    : sim(now), dir_(out / name), name_(std::move(name)) {
  fs::remove_all(dir_);
  fs::create_directories(dir_);
  pin_initial_root();
}

void ScenarioWriter::pin_initial_root() { write_file(dir_ / "root.json", sim.published.at("root").at(1)); }

void ScenarioWriter::write_metadata(const fs::path& dir) const {
  // Every published version under its versioned name (root always asks "N.root.json",
  // the other roles do under consistent snapshots) and the current one unversioned.
  for (const auto& [role, versions] : sim.published)
    for (const auto& [version, bytes] : versions)
      if (role != "timestamp") write_file(dir / disk_name(std::to_string(version) + "." + role + ".json"), bytes);
  for (const auto& [role, bytes] : sim.current) write_file(dir / disk_name(role + ".json"), bytes);
  for (const auto& [name, bytes] : metadata_override) write_file(dir / disk_name(name), bytes);
}

void ScenarioWriter::write_targets(const fs::path& dir) const {
  // "dir/name" and, for consistent snapshots, "dir/HASH.name" for every listed hash.
  for (const auto& [path, artifact] : sim.artifacts) {
    const fs::path file = target_file(path);
    write_file(dir / file, artifact.bytes);
    const std::string base = path.substr(path.rfind('/') == std::string::npos ? 0 : path.rfind('/') + 1);
    for (const auto& [alg, hash] : artifact.hashes)
      write_file(dir / file.parent_path() / disk_name(hash + "." + base), artifact.bytes);
  }
  for (const auto& [path, bytes] : target_override) write_file(dir / target_file(path), bytes);
}

std::string sha256_hex(const std::string& bytes) {
  return to_hex(crypto::sha256(ByteView(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size())));
}

metadata::Envelope envelope_of(const std::string& bytes) {
  auto env = metadata::parse_envelope(ByteView(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()), 1 << 24);
  if (!env) throw std::runtime_error("parsing a published file: " + env.error().message);
  return std::move(*env);
}

void with_file(ScenarioWriter& w, const std::string& bytes) {
  w.sim.add_target("targets", kFile, bytes);
  w.sim.publish({"targets", "snapshot", "timestamp"});
}

void serve_also(ScenarioWriter& w, const std::string& path, const std::string& bytes) {
  const size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "" : path.substr(0, slash + 1);
  w.target_override[dir + sha256_hex(bytes) + "." + path.substr(dir.size())] = bytes;
}

void ScenarioWriter::step(const std::string& target, Expect expect, const std::string& why) {
  const bool divergence = expect == Expect::ours_reject_tufjs_accept || expect == Expect::ours_accept_tufjs_reject;
  if (divergence && why.empty()) throw std::logic_error(name_ + ": a divergence needs its reason");
  if (target.empty() || target.find('\n') != std::string::npos)
    throw std::logic_error(name_ + ": a target name must be one non-empty line");
  ++steps_;
  const fs::path step = dir_ / "steps" / std::to_string(steps_);
  write_metadata(step / "metadata");
  fs::create_directories(step / "targets");
  write_targets(step / "targets");
  // The bytes a client accepting the step must have stored: the simulator's artifact
  // for the path (where roles disagree, the one the scenario added last; see serve_also).
  if (auto a = sim.artifacts.find(target); a != sim.artifacts.end() && expect != Expect::reject)
    write_file(step / "target.sha256", sha256_hex(a->second.bytes) + "\n");
  metadata_override.clear();
  target_override.clear();
  if (!why.empty()) plan_ << "# " << why << "\n";
  plan_ << steps_ << " " << target << " " << to_string(expect) << "\n";
  write_file(dir_ / "plan", plan_.str());
}

}  // namespace ota::testing
