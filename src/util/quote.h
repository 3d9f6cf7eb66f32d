// Quoting user input in messages. Input can be megabytes long (a model spec, a name in a
// forged graph), so a message quotes a bounded prefix and says how long the whole was.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace cfp {

// Longest prefix of user input a message quotes.
inline constexpr size_t kMaxQuotedBytes = 200;

// 'text' when it is short; otherwise 'first 200 bytes...' (N bytes). The prefix ends on a
// UTF-8 character boundary, so a cut never splits a character.
std::string Quote(std::string_view text, size_t max_bytes = kMaxQuotedBytes);

}  // namespace cfp
