#include "util/quote.h"

namespace cfp {
namespace {

// Length of the prefix to keep: at most max_bytes, moved back off UTF-8 continuation
// bytes (10xxxxxx) so the cut falls between characters. A character has at most three
// of them; text that is not UTF-8 is cut where it is.
size_t CutAt(std::string_view text, size_t max_bytes) {
  size_t cut = max_bytes;
  while (cut > 0 && max_bytes - cut < 3 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80 ? max_bytes : cut;
}

}  // namespace

std::string Quote(std::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return "'" + std::string(text) + "'";
  return "'" + std::string(text.substr(0, CutAt(text, max_bytes))) + "...' (" + std::to_string(text.size()) + " bytes)";
}

}  // namespace cfp
