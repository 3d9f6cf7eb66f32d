#include "bench_record.h"

#include <cstdio>
#include <cstdlib>
#include <sstream>

namespace cfp_bench {

void Record::Set(const std::string &key, const std::string &value) {
  std::string clean = value;
  for (char &c : clean)
    if (c == '\n' || c == '\r') c = ' ';
  values_[key] = clean;
}

void Record::Set(const std::string &key, double value) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.9g", value);
  values_[key] = buf;
}

void Record::Set(const std::string &key, uint64_t value) { values_[key] = std::to_string(value); }

std::string Record::Text(const std::string &key) const {
  auto it = values_.find(key);
  return it == values_.end() ? std::string() : it->second;
}

std::optional<double> Record::Number(const std::string &key) const {
  auto it = values_.find(key);
  if (it == values_.end() || it->second.empty()) return std::nullopt;
  char *end = nullptr;
  double v = std::strtod(it->second.c_str(), &end);
  if (*end != '\0') return std::nullopt;
  return v;
}

std::string Record::Serialize() const {
  std::string out;
  for (const auto &[k, v] : values_) out += k + "=" + v + "\n";
  return out;
}

void Record::Parse(const std::string &text) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    auto eq = line.find('=');
    if (eq == std::string::npos || eq == 0) continue;
    values_[line.substr(0, eq)] = line.substr(eq + 1);
  }
}

void Record::Merge(const Record &other) {
  for (const auto &[k, v] : other.values_) values_[k] = v;
}

}  // namespace cfp_bench
