// Reading and writing graphs as FlatBuffers (flatbuffers/graph.fbs).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "graph/graph.h"

namespace cfp {

// The schema version this library writes; it reads every version up to this one.
inline constexpr uint32_t kGraphSchemaVersion = 1;

// Verifies the buffer (identifier, FlatBuffers verifier with explicit limits, schema
// version) and validates the graph it holds.
Result<Graph> GraphFromBuffer(const void *data, size_t size);
Result<Graph> GraphFromFile(const std::string &path);
std::vector<uint8_t> GraphToBuffer(const Graph &graph);

}  // namespace cfp
