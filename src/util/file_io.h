// Whole-file reads and atomic whole-file writes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "util/status.h"

namespace cfp {

// The most bytes a graph, plan or profile DB file may have: FlatBuffers addresses 2 GiB.
inline constexpr uint64_t kMaxReadFileBytes = (uint64_t{1} << 31) - 2;

// Reads a whole regular file. A file over `max_bytes` is refused (CFP_ERR_IO) before any
// of it is read or allocated.
Result<std::vector<uint8_t>> ReadFile(const std::string &path, uint64_t max_bytes = kMaxReadFileBytes);
// Writes `data` as the whole contents of `path`, never turning something into what it was
// not. A regular file (or a new one) is written as a temporary file in the same directory,
// synced, then renamed over it, so readers see the old or the new contents, never a mix;
// the replacement keeps the old file's permission bits. Through a symbolic link the file
// it names is replaced and the link stays. A FIFO or character device (/dev/null,
// /dev/stdout, a pipe) is written directly (a FIFO waits for its reader). A directory,
// socket or block device is refused (CFP_ERR_IO).
Status WriteFileAtomically(const std::string &path, const void *data, size_t size);

}  // namespace cfp
