// tuf_scenarios OUTDIR [ALGO]: writes TUF repositories for the differential test
// (tests/interop/tufjs_interop.sh): honest ones and one per attack, each in
// OUTDIR/<scenario>/ with repo/ (metadata/, targets/), root.json (the client's trust
// anchor), expect ("accept" or "reject"), and for attacks that need a history,
// before/ (a repository state the client must see first, with the same cache).
// Built with the library the tools use, file keys of ALGO (default ed25519).
#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

#include "core/hex.h"
#include "crypto/sha256.h"
#include "crypto/tuf_key.h"
#include "io/posix_storage.h"
#include "metadata/envelope.h"
#include "repository/repository.h"
#include "signer/signer.h"

namespace fs = std::filesystem;
using nlohmann::json;
using namespace ota;

namespace {

constexpr metadata::Time kDay = 86400;

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
void write(const fs::path& p, const std::string& text) { std::ofstream(p, std::ios::binary) << text; }

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "tuf_scenarios: %s\n", what.c_str());
  std::exit(1);
}

template <class T>
T must(Result<T> r, const char* what) {
  if (!r) die(std::string(what) + ": " + r.error().message);
  return std::move(*r);
}

struct Builder {
  io::PosixStorage fs;
  fs::path keys;
  crypto::Algorithm algo;
  metadata::Time now;

  std::string key(const std::string& name) const { return "file:" + (keys / (name + ".pem")).string(); }

  repository::Context context(metadata::Time at) {
    return {fs, at, [this](const std::string& ref, const std::string&) { return signer::open_signer(fs, ref, {}); },
            [this](const std::string& ref) { return signer::open_public_key(fs, ref, {}); }};
  }

  // A published repository with one target at `dir`, clock `at`.
  void honest(const fs::path& dir, metadata::Time at) {
    std::string yaml = "roles:\n  root: {keys: [" + key("root1") + ", " + key("root2") +
                       "], threshold: 2}\n  targets: {keys: [" + key("targets1") + ", " + key("targets2") +
                       "], threshold: 2}\n  snapshot: {keys: [" + key("snapshot") + "]}\n  timestamp: {keys: [" +
                       key("timestamp") + "]}\n";
    auto config = must(repository::parse_config(yaml, keys), "config");
    auto ctx = context(at);
    must(repository::init(ctx, config, dir / "repo"), "init");
    write(dir / "fw.bin", std::string(70000, 'x') + "firmware");
    must(repository::add_target(ctx, dir / "repo", {dir / "fw.bin", "ecu/fw.bin", "1.0", {"hw-a"}, {}, "bugfix", 65536}),
         "add");
    must(repository::publish(ctx, dir / "repo"), "publish");
    fs::copy_file(dir / "repo" / "metadata" / "1.root.json", dir / "root.json");
    fs::remove(dir / "fw.bin");
  }

  void resign(const fs::path& file, const std::vector<std::string>& signers, const std::function<void(json&)>& edit) {
    auto text = read(file);
    auto env = must(metadata::parse_envelope(Bytes(text.begin(), text.end()), 1 << 22), "parse");
    edit(env.signed_);
    std::vector<std::unique_ptr<signer::Signer>> owned;
    std::vector<signer::Signer*> raw;
    for (const auto& s : signers) {
      owned.push_back(must(signer::open_signer(fs, key(s), {}), "open key"));
      raw.push_back(owned.back().get());
    }
    write(file, metadata::serialize(must(metadata::sign(env.signed_, raw), "sign")));
  }

  // Re-signs snapshot N and the timestamp so they describe the current files.
  void rechain(const fs::path& repo, uint64_t n) {
    auto meta = repo / "metadata";
    resign(meta / (std::to_string(n) + ".snapshot.json"), {"snapshot"}, [&](json& s) {
      for (auto& [name, entry] : s["meta"].items()) {
        std::string text = read(meta / (std::to_string(entry["version"].get<uint64_t>()) + "." + name));
        entry["length"] = text.size();
        entry["hashes"]["sha256"] = sha256_hex(text);
      }
    });
    std::string snapshot = read(meta / (std::to_string(n) + ".snapshot.json"));
    resign(meta / "timestamp.json", {"timestamp"}, [&](json& s) {
      s["meta"]["snapshot.json"]["length"] = snapshot.size();
      s["meta"]["snapshot.json"]["hashes"]["sha256"] = sha256_hex(snapshot);
    });
  }

  // The target listed by a delegated role "supplier" (paths ecu/*) instead of targets.
  void delegated(const fs::path& dir, metadata::Time at) {
    std::string yaml = "roles:\n  root: {keys: [" + key("root1") + "], threshold: 1}\n  targets: {keys: [" +
                       key("targets1") + "], threshold: 1}\n  snapshot: {keys: [" + key("snapshot") +
                       "]}\n  timestamp: {keys: [" + key("timestamp") + "]}\n";
    auto config = must(repository::parse_config(yaml, keys), "config");
    auto ctx = context(at);
    must(repository::init(ctx, config, dir / "repo"), "init");
    repository::DelegationConfig d{"supplier", {{key("supplier")}, 1, 30}, {"ecu/*"}, true};
    if (auto r = repository::delegate(ctx, dir / "repo", d); !r) die("delegate: " + r.error().message);
    write(dir / "fw.bin", std::string(50000, 'd') + "delegated firmware");
    repository::AddRequest add{dir / "fw.bin", "ecu/fw.bin", "1.0", {"hw-a"}, {}, "bugfix", 65536};
    add.role = "supplier";
    must(repository::add_target(ctx, dir / "repo", add), "add");
    must(repository::publish(ctx, dir / "repo"), "publish");
    fs::copy_file(dir / "repo" / "metadata" / "1.root.json", dir / "root.json");
    fs::remove(dir / "fw.bin");
  }

  static std::string sha256_hex(const std::string& s) {
    return to_hex(crypto::sha256(ByteView(reinterpret_cast<const uint8_t*>(s.data()), s.size())));
  }
};

void expect(const fs::path& dir, const char* what) { write(dir / "expect", std::string(what) + "\n"); }

std::string target_file(const fs::path& repo) {
  auto t = json::parse(read(repo / "metadata" / "2.targets.json"));
  return "ecu/" + t["signed"]["targets"]["ecu/fw.bin"]["hashes"]["sha256"].get<std::string>() + ".fw.bin";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) die("usage: tuf_scenarios OUTDIR [ed25519|ecdsa-p256|rsa-pss-3072]");
  fs::path out = argv[1];
  Builder b;
  b.algo = argc > 2 ? must(crypto::parse_algorithm(argv[2]), "algorithm") : crypto::Algorithm::ed25519;
  b.now = std::time(nullptr);
  b.keys = out / "keys";
  fs::create_directories(b.keys);
  for (const char* k : {"root1", "root2", "targets1", "targets2", "snapshot", "timestamp", "timestamp-new", "supplier"})
    must(signer::generate_key(b.fs, b.key(k), {b.algo, {}}, {}), "generate");

  auto scenario = [&](const char* name, const char* verdict) {
    fs::path dir = out / name;
    b.honest(dir, b.now);
    expect(dir, verdict);
    return dir;
  };

  scenario("honest", "accept");

  {  // a byte of the image flipped on the server
    fs::path d = scenario("tampered-target", "reject");
    fs::path f = d / "repo" / "targets" / target_file(d / "repo");
    std::string bytes = read(f);
    bytes[100] ^= 1;
    write(f, bytes);
  }
  {  // signed metadata edited after signing
    fs::path d = scenario("tampered-metadata", "reject");
    fs::path f = d / "repo" / "metadata" / "2.targets.json";
    std::string text = read(f);
    text.replace(text.find("\"1.0\""), 5, "\"6.6\"");
    write(f, text);
  }
  {  // published 3 days ago: the 1-day timestamp has expired
    fs::path d = out / "expired-timestamp";
    b.honest(d, b.now - 3 * kDay);
    expect(d, "reject");
  }
  {  // the client saw timestamp 3; the server goes back to timestamp 2
    fs::path d = scenario("rollback-timestamp", "reject");
    std::string old_ts = read(d / "repo" / "metadata" / "timestamp.json");
    auto ctx = b.context(b.now);
    must(repository::publish(ctx, d / "repo"), "publish");
    fs::copy(d / "repo", d / "before", fs::copy_options::recursive);
    write(d / "repo" / "metadata" / "timestamp.json", old_ts);
  }
  {  // targets needs 2 of 2 signatures; served with 1 (snapshot and timestamp re-signed)
    fs::path d = scenario("below-threshold", "reject");
    b.resign(d / "repo" / "metadata" / "2.targets.json", {"targets1"}, [](json&) {});
    b.rechain(d / "repo", 2);
  }
  {  // 2.root.json claims version 3
    fs::path d = scenario("root-skips-version", "reject");
    fs::copy_file(d / "repo" / "metadata" / "1.root.json", d / "repo" / "metadata" / "2.root.json");
    b.resign(d / "repo" / "metadata" / "2.root.json", {"root1", "root2"}, [](json& s) { s["version"] = 3; });
  }
  {  // root 2 replaces the timestamp key; the timestamp is still signed by the revoked one
    fs::path d = scenario("revoked-key", "reject");
    auto pub = must(signer::open_public_key(b.fs, b.key("timestamp-new"), {}), "key");
    std::string id = crypto::tuf_key_id(pub);
    fs::copy_file(d / "repo" / "metadata" / "1.root.json", d / "repo" / "metadata" / "2.root.json");
    b.resign(d / "repo" / "metadata" / "2.root.json", {"root1", "root2"}, [&](json& s) {
      s["version"] = 2;
      s["keys"][id] = crypto::tuf_key_object(pub);
      s["roles"]["timestamp"]["keyids"] = json::array({id});
    });
  }
  {  // the same rotation done right: root 2 and a timestamp signed by the new key
    fs::path d = scenario("rotated-root", "accept");
    auto pub = must(signer::open_public_key(b.fs, b.key("timestamp-new"), {}), "key");
    std::string id = crypto::tuf_key_id(pub);
    fs::copy_file(d / "repo" / "metadata" / "1.root.json", d / "repo" / "metadata" / "2.root.json");
    b.resign(d / "repo" / "metadata" / "2.root.json", {"root1", "root2"}, [&](json& s) {
      s["version"] = 2;
      s["keys"][id] = crypto::tuf_key_object(pub);
      s["roles"]["timestamp"]["keyids"] = json::array({id});
    });
    b.resign(d / "repo" / "metadata" / "timestamp.json", {"timestamp-new"}, [](json&) {});
  }
  {  // snapshot and targets from different releases: targets 1 served as targets 2
    fs::path d = scenario("mix-and-match", "reject");
    write(d / "repo" / "metadata" / "2.targets.json", read(d / "repo" / "metadata" / "1.targets.json"));
  }
  {  // snapshot rolled back: the client saw snapshot 3 naming targets 3; now a validly
     // signed timestamp 4 names a snapshot 4 that lists targets 2
    fs::path d = scenario("rollback-targets", "reject");
    auto ctx = b.context(b.now);
    must(repository::publish(ctx, d / "repo"), "publish");
    fs::copy(d / "repo", d / "before", fs::copy_options::recursive);
    auto meta = d / "repo" / "metadata";
    fs::copy_file(meta / "2.snapshot.json", meta / "4.snapshot.json");
    b.resign(meta / "4.snapshot.json", {"snapshot"}, [](json& s) { s["version"] = 4; });
    std::string snapshot = read(meta / "4.snapshot.json");
    b.resign(meta / "timestamp.json", {"timestamp"}, [&](json& s) {
      s["version"] = 4;
      s["meta"]["snapshot.json"] = {{"version", 4}, {"length", snapshot.size()},
                                    {"hashes", {{"sha256", Builder::sha256_hex(snapshot)}}}};
    });
  }
  {  // a target listed by a delegated role, searched through the delegation
    fs::path d = out / "delegated";
    b.delegated(d, b.now);
    expect(d, "accept");
  }
  {  // the delegated role's metadata signed by a key the delegation does not name
    fs::path d = out / "delegated-wrong-key";
    b.delegated(d, b.now);
    b.resign(d / "repo" / "metadata" / "1.supplier.json", {"timestamp-new"}, [](json&) {});
    b.rechain(d / "repo", 2);
    expect(d, "reject");
  }
  std::printf("%s\n", out.string().c_str());
  return 0;
}
