// Whole-file reads and atomic whole-file writes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "util/status.h"

namespace cfp {

Result<std::vector<uint8_t>> ReadFile(const std::string &path);
// Writes a temporary file in the same directory, syncs it, then renames it over `path`,
// so readers see the old or the new contents, never a mix.
Status WriteFileAtomically(const std::string &path, const void *data, size_t size);

}  // namespace cfp
