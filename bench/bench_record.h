// One benchmark case's measurements as named values: workers print them as "key=value"
// lines, the driver parses, merges and reports them. Values never contain a newline.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace cfp_bench {

class Record {
 public:
  void Set(const std::string &key, const std::string &value);
  void Set(const std::string &key, double value);
  void Set(const std::string &key, uint64_t value);
  void Set(const std::string &key, uint32_t value) { Set(key, static_cast<uint64_t>(value)); }
  void Set(const std::string &key, int value) { Set(key, static_cast<uint64_t>(value)); }
  void Set(const std::string &key, const char *value) { Set(key, std::string(value)); }

  bool Has(const std::string &key) const { return values_.count(key) != 0; }
  std::string Text(const std::string &key) const;    // "" when absent
  std::optional<double> Number(const std::string &key) const;

  // "key=value" lines; Parse adds every such line of `text`.
  std::string Serialize() const;
  void Parse(const std::string &text);
  void Merge(const Record &other);

 private:
  std::map<std::string, std::string> values_;
};

}  // namespace cfp_bench
