#include "ota-delta/json.h"

#include "core/hex.h"

namespace ota::tools {
namespace {

std::string hex(const crypto::Sha256Digest& d) { return to_hex(d); }

nlohmann::json trailer_json(const std::optional<delta::Trailer>& t) {
  if (!t) return nullptr;
  return {{"source_size", t->old_size}, {"source_sha256", hex(t->old_sha256)},
          {"target_size", t->new_size}, {"target_sha256", hex(t->new_sha256)}};
}

nlohmann::json candidates_json(const delta::CreateReport& r) {
  nlohmann::json candidates = nlohmann::json::array();
  for (const auto& c : r.candidates) {
    nlohmann::json j = {{"algorithm", std::string(to_string(c.algorithm))},
                        {"encode_seconds", c.encode_seconds}};
    if (c.patch_size) {
      j["patch_size"] = *c.patch_size;
      j["variant"] = c.variant;
    }
    else
      j["error"] = c.error;
    candidates.push_back(j);
  }
  return candidates;
}

}  // namespace

nlohmann::json to_json(const delta::CreateReport& r, const std::string& out_path) {
  return {{"patch", out_path},
          {"algorithm", std::string(to_string(r.algorithm))},
          {"variant", r.variant},
          {"patch_size", r.patch_size},
          {"source_size", r.old_size},
          {"source_sha256", hex(r.old_sha256)},
          {"target_size", r.new_size},
          {"target_sha256", hex(r.new_sha256)},
          {"ratio", r.new_size ? double(r.patch_size) / double(r.new_size) : 0.0},
          {"trailer", r.trailer},
          {"candidates", candidates_json(r)}};
}

nlohmann::json to_json(const delta::ReleaseReport& r) {
  nlohmann::json sources = nlohmann::json::array();
  for (const auto& e : r.entries)
    sources.push_back({{"version", e.version},
                       {"delivery", e.use_delta ? "delta" : "full"},
                       {"algorithm", std::string(to_string(e.algorithm))},
                       {"variant", e.encode.variant},
                       {"candidates", candidates_json(e.encode)}});
  return {{"out_dir", r.index_path.parent_path().string()},
          {"index_file", r.index_path.string()},
          {"index", nlohmann::json::parse(r.index_json)},
          {"sources", sources}};
}

std::string summary(const delta::ReleaseReport& r) {
  size_t deltas = 0;
  for (const auto& e : r.entries) deltas += e.use_delta;
  std::string s = "ota-delta: wrote '" + r.index_path.string() + "': " + std::to_string(deltas) + " delta" +
                  (deltas == 1 ? "" : "s") + " and the full image (" + std::to_string(r.full_image.size) +
                  " bytes xz) for " + std::to_string(r.entries.size()) + " source version" +
                  (r.entries.size() == 1 ? "" : "s");
  for (const auto& e : r.entries)
    s += "; " + e.version + ": " +
         (e.use_delta ? std::string(to_string(e.algorithm)) + " " + std::to_string(e.delta_size) + " bytes"
                      : "full image (delta " + std::to_string(e.delta_size) + " bytes)");
  return s;
}

std::string summary(const delta::CreateReport& r, const std::string& out_path) {
  std::string s = "ota-delta: wrote '" + out_path + "': " + std::string(to_string(r.algorithm)) +
                  ", " + std::to_string(r.patch_size) + " bytes for a " +
                  std::to_string(r.new_size) + "-byte target";
  if (r.candidates.size() > 1) {
    s += " (candidates:";
    for (const auto& c : r.candidates)
      s += " " + std::string(to_string(c.algorithm)) + " " +
           (c.patch_size ? std::to_string(*c.patch_size) : "failed");
    s += ")";
  }
  return s;
}

nlohmann::json to_json(const delta::ApplyOutcome& o, const std::string& out_path) {
  return {{"output", out_path},
          {"algorithm", std::string(to_string(o.algorithm))},
          {"output_size", o.output_size},
          {"output_sha256", hex(o.output_sha256)},
          {"verified", o.verified}};
}

std::string summary(const delta::ApplyOutcome& o, const std::string& out_path) {
  return "ota-delta: wrote '" + out_path + "': " + std::to_string(o.output_size) +
         " bytes from a " + std::string(to_string(o.algorithm)) + " patch; " +
         (o.verified ? "source and target sha256 verified"
                     : "the patch has no ota trailer, so the output is unverified (sha256 " +
                           hex(o.output_sha256) + ")");
}

nlohmann::json to_json(const delta::PatchReport& r) {
  nlohmann::json j = {{"algorithm", std::string(to_string(r.algorithm))},
                      {"patch_size", r.patch_size},
                      {"trailer", trailer_json(r.trailer)}};
  if (r.bsdiff)
    j["bsdiff"] = {{"control_bytes", r.bsdiff->ctrl_bytes},
                   {"diff_bytes", r.bsdiff->diff_bytes},
                   {"extra_bytes", r.bsdiff->extra_bytes},
                   {"target_size", r.bsdiff->new_size}};
  if (r.zstd) {
    j["zstd"] = {{"frame_bytes", r.zstd->frame_bytes},
                 {"window_size", r.zstd->window_size},
                 {"content_checksum", r.zstd->has_checksum},
                 {"skippable_frames", r.zstd->skippable_frames},
                 {"target_size", nullptr}};
    if (r.zstd->content_size) j["zstd"]["target_size"] = *r.zstd->content_size;
  }
  if (r.ota) {
    auto stream = [](const delta::OtaStreamInfo& s) {
      return nlohmann::json{{"coded_bytes", s.coded_bytes}, {"raw_bytes", s.raw_bytes},
                            {"dictionary_bytes", s.dict_bytes}};
    };
    j["ota"] = {{"format_version", r.ota->version},
                {"filter", std::string(to_string(r.ota->filter))},
                {"coding", "lzma2"},
                {"target_size", r.ota->new_size},
                {"control", stream(r.ota->ctrl)},
                {"diff", stream(r.ota->diff)},
                {"extra", stream(r.ota->extra)}};
  }
  if (r.vcdiff)
    j["vcdiff"] = {{"windows", r.vcdiff->windows},
                   {"target_size", r.vcdiff->target_size},
                   {"adler32", r.vcdiff->adler32},
                   {"secondary", r.vcdiff->secondary ? nlohmann::json(*r.vcdiff->secondary) : nlohmann::json()}};
  return j;
}

std::string describe(const delta::PatchReport& r) {
  std::string s = "format:        " +
                  std::string(r.algorithm == delta::Algorithm::kBsdiff   ? "BSDIFF40 (bsdiff)"
                              : r.algorithm == delta::Algorithm::kVcdiff ? "VCDIFF (RFC 3284, xdelta3)"
                              : r.algorithm == delta::Algorithm::kOta    ? "ota delta container (version 1)"
                                                                         : "zstd frame (patch-from)") +
                  "\npatch size:    " + std::to_string(r.patch_size) + " bytes\n";
  if (r.bsdiff)
    s += "target size:   " + std::to_string(r.bsdiff->new_size) + " bytes\nstreams:       control " +
         std::to_string(r.bsdiff->ctrl_bytes) + ", diff " + std::to_string(r.bsdiff->diff_bytes) +
         ", extra " + std::to_string(r.bsdiff->extra_bytes) + " bytes (bzip2)\n";
  if (r.zstd)
    s += "target size:   " +
         (r.zstd->content_size ? std::to_string(*r.zstd->content_size) + " bytes" : "not declared") +
         "\nwindow:        " + std::to_string(r.zstd->window_size) + " bytes\nchecksum:      " +
         (r.zstd->has_checksum ? "xxh64 content checksum" : "none") + "\n";
  if (r.vcdiff)
    s += "target size:   " + std::to_string(r.vcdiff->target_size) + " bytes in " + std::to_string(r.vcdiff->windows) +
         " window" + (r.vcdiff->windows == 1 ? "" : "s") + "\nchecksum:      " +
         (r.vcdiff->adler32 ? "adler32 per window" : "none") + "\nsecondary:     " +
         r.vcdiff->secondary.value_or("none") + "\n";
  if (r.ota)
    s += "target size:   " + std::to_string(r.ota->new_size) + " bytes\nstreams:       control " +
         std::to_string(r.ota->ctrl.coded_bytes) + ", diff " + std::to_string(r.ota->diff.coded_bytes) +
         ", extra " + std::to_string(r.ota->extra.coded_bytes) + " bytes (LZMA2, " +
         std::to_string(r.ota->diff.dict_bytes >> 10) + " KiB dictionary)\nfilter:        " +
         std::string(to_string(r.ota->filter)) + "\n";
  if (r.trailer)
    s += "source:        " + std::to_string(r.trailer->old_size) + " bytes, sha256 " +
         hex(r.trailer->old_sha256) + "\ntarget:        " + std::to_string(r.trailer->new_size) +
         " bytes, sha256 " + hex(r.trailer->new_sha256) + "\n";
  else
    s += "verification:  none (no ota trailer: made by another tool or with --no-trailer)\n";
  return s;
}

}  // namespace ota::tools
