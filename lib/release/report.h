// The compliance records of a release (`ota-release report`, issue 10 §2; UNECE R156
// §7.1 / ISO 24089 style, docs/release.md §5): what the update is, which vehicles it
// targets and why each is compatible, what happened to each vehicle and ECU, every gate
// decision, what it cost; and index.json naming every record by SHA-256, signed with the
// targets role's key (index.json.sig), so a changed record or index is evident.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"
#include "release/campaign.h"
#include "release/plan_dir.h"
#include "signer/signer.h"

namespace ota::release {

struct RecordFile {
  std::string name, text;
};

struct ReportOptions {
  std::string purpose;        // why the update exists, in words (R156 7.1.1.x)
  std::string outcomes_file;  // named in the records
};

// update.json, vehicles.csv, decisions.json, cost.csv, summary.txt, then index.json
// (canonical JSON) and index.json.sig (the signer's signature over index.json's bytes).
Result<std::vector<RecordFile>> make_records(const LoadedPlan& plan, const Outcomes& outcomes,
                                             const CampaignStatus& status, const ReportOptions& options,
                                             signer::Signer& signer);

}  // namespace ota::release
