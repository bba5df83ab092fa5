// The --json documents and text of ota-image's results (docs/cli.md, schemas/ota-image-*.schema.json).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "image/factory.h"
#include "image/layout.h"
#include "image/slot_image.h"

namespace ota::tools {

nlohmann::json to_json(const image::ParsedImage& image, ByteView bytes);  // header, TLVs, digest
nlohmann::json to_json(const image::VerifyReport& report);               // result code and checks
nlohmann::json to_json(const image::Layout& layout);
nlohmann::json to_json(const image::BootControl& record);
nlohmann::json to_json(const image::FlashInspection& flash);

// Several lines for `ota-image info` without --json.
std::string describe(const image::ParsedImage& image, const image::VerifyReport* report);
std::string describe(const image::FlashInspection& flash);

}  // namespace ota::tools
