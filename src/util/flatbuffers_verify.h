// The limits every FlatBuffers buffer libcfp reads (graphs, plans, profile DBs) is
// verified under, so a hostile file meets the same bounds whichever loader reads it.
#pragma once

#include <cstddef>

#include "flatbuffers/flatbuffers.h"

namespace cfp {

// The schemas nest only a few tables deep; 64 leaves room for future ones. A table takes at
// least 4 bytes, so an honest buffer of `size` bytes holds at most size / 4 of them (plus
// slack for tiny buffers); the bound stops a buffer that shares tables from being walked
// far beyond its size.
inline flatbuffers::Verifier::Options VerifierOptions(size_t size) {
  flatbuffers::Verifier::Options opts;
  opts.max_depth = 64;
  opts.max_tables = static_cast<flatbuffers::uoffset_t>(size / 4 + 1024);
  return opts;
}

}  // namespace cfp
