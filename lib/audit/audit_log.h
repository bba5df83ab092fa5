// The signing audit log: one JSON line per signing operation, each carrying the
// SHA-256 of the line before it, so the file is a hash chain (docs/formats/audit-log.md).
// It is the traceability record UNECE R156 / ISO 24089 audits ask for; it never holds
// a PIN or key material, only what was signed, with which key, by whom and when.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "core/result.h"
#include "crypto/sha256.h"

namespace ota::audit {

inline constexpr char kFormat[] = "ota-audit/1";
// A longer line is not a record: verify stops there rather than buffer without bound.
inline constexpr size_t kMaxLineBytes = 64 * 1024;

// One signing operation, as the caller knows it.
struct Record {
  std::string key_id;     // TUF key id: 64 lowercase hex digits
  std::string role;       // "targets", ...; "" when unknown, written as JSON null
  std::string algorithm;  // "ed25519" | "ecdsa-p256" | "rsa-pss-3072"
  crypto::Sha256Digest message_sha256{};  // digest of the bytes that were signed
  std::string tool;       // "ota-sign"
  std::string command;    // "sign"
};

// Who and when, injected so tests are deterministic.
struct Context {
  std::string user;
  std::chrono::system_clock::time_point now;  // written in UTC, truncated to seconds
};

// The effective user's login name (getpwuid_r(geteuid())), or "uid:<n>" when it has
// none, and the current time.
Context current_context();

// Appends one record to `log`, creating it (mode 0640 before umask) if absent. Holds
// flock(LOCK_EX) on the file while it reads the last line and writes the new one, so
// concurrent signers serialise; the line goes out in one write() and is fsynced (and
// the directory too when the file was created) before this returns.
// Only the last line is read, so a large log costs nothing; the rest of the chain is
// verify()'s job. Errors:
//   invalid_argument  a Record/Context field that verify() would reject (bad key id,
//                     unknown algorithm, empty tool/command/user, not UTF-8, ...);
//   rejected          the last line is incomplete or not a valid record: the log is
//                     left untouched, since appending would extend a broken chain;
//   not_found / io / no_space  the OS refused; a partly written line is cut off again.
Result<void> append(const std::filesystem::path& log, const Record& record,
                    const Context& context);

struct VerifyReport {
  uint64_t records = 0;
  std::string head_sha256;  // hex SHA-256 of the last line; 64 zeros for an empty log
};

// Checks every line of `log` in one streaming pass (memory bounded by kMaxLineBytes):
// each is a complete, canonical record with seq == its line number and prev_sha256 ==
// the hash of the line before. With `expect_head` (64 hex digits, e.g. from a release
// record), the last line must also hash to it: the chain alone cannot detect records
// cut from the end or an edit of the last one. Records appended while verify runs are
// not looked at. Errors:
//   not_found         `log` does not exist (an empty file is a valid log of 0 records);
//   rejected          the first broken line, named by number with its likely cause, or
//                     a head that differs from `expect_head`;
//   invalid_argument  `expect_head` is not 64 hex digits, or `log` is not a regular file;
//   io                the OS refused a read.
Result<VerifyReport> verify(const std::filesystem::path& log,
                            const std::optional<std::string>& expect_head);

}  // namespace ota::audit
