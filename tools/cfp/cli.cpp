#include "cli.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>

#include "util/quote.h"

namespace cfp_cli {
namespace {

[[noreturn]] void Refuse(const std::string &option, const std::string &value, const std::string &expected) {
  throw UsageError{option + ": " + cfp::Quote(value) + " is not " + expected};
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Length of the decimal number at the start of `s`: digits with an optional fraction and
// exponent ("1.5", "2e9"); 0 when there is none. Never a sign, spaces, "inf", "nan" or hex,
// all of which strtod would take.
size_t DecimalPrefix(const std::string &s) {
  size_t i = 0, digits = 0;
  for (; i < s.size() && IsDigit(s[i]); ++i) ++digits;
  if (i < s.size() && s[i] == '.')
    for (++i; i < s.size() && IsDigit(s[i]); ++i) ++digits;
  if (digits == 0) return 0;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    size_t j = i + 1;
    if (j < s.size() && (s[j] == '+' || s[j] == '-')) ++j;
    size_t k = j;
    while (k < s.size() && IsDigit(s[k])) ++k;
    if (k > j) i = k;
  }
  return i;
}

// The decimal number that is the whole of `s` (infinite when it is too large for a double).
std::optional<double> Decimal(const std::string &s) {
  if (s.empty() || DecimalPrefix(s) != s.size()) return std::nullopt;
  return std::strtod(s.c_str(), nullptr);
}

// The pieces of `s` between separators, empty ones included ("8x" is "8" and "").
std::vector<std::string> Split(const std::string &s, char separator) {
  std::vector<std::string> parts(1);
  for (char c : s) {
    if (c == separator) parts.emplace_back();
    else parts.back() += c;
  }
  return parts;
}

std::optional<uint64_t> WholeNumber(const std::string &s) {
  if (s.empty() || !std::all_of(s.begin(), s.end(), IsDigit)) return std::nullopt;
  uint64_t v = 0;
  for (char c : s)
    if (__builtin_mul_overflow(v, uint64_t{10}, &v) || __builtin_add_overflow(v, static_cast<uint64_t>(c - '0'), &v))
      return std::nullopt;
  return v;
}

}  // namespace

uint64_t ParseWholeNumber(const std::string &option, const std::string &value, uint64_t min, uint64_t max) {
  const std::optional<uint64_t> v = WholeNumber(value);
  if (!v || *v < min || *v > max)
    Refuse(option, value, "a whole number from " + std::to_string(min) + " to " + std::to_string(max));
  return *v;
}

uint64_t ParseSize(const std::string &option, const std::string &value) {
  static const std::pair<const char *, uint64_t> kUnits[] = {
      {"", 1},           {"B", 1},         {"KiB", 1ull << 10}, {"MiB", 1ull << 20}, {"GiB", 1ull << 30},
      {"TiB", 1ull << 40}, {"KB", 1000},   {"MB", 1000000},     {"GB", 1000000000},  {"TB", 1000000000000}};
  const size_t n = DecimalPrefix(value);
  const std::string number = value.substr(0, n), unit = value.substr(n);
  const auto *scale = std::find_if(std::begin(kUnits), std::end(kUnits), [&](const auto &u) { return unit == u.first; });
  if (n == 0 || scale == std::end(kUnits)) Refuse(option, value, "a size (e.g. 70GiB, 80GB, 1048576)");
  const std::string range = "a whole number of bytes from 1 to 18446744073709551615";
  // Whole numbers are exact to the last byte; a fraction or exponent goes through a double.
  if (const std::optional<uint64_t> whole = WholeNumber(number)) {
    uint64_t bytes = 0;
    if (__builtin_mul_overflow(*whole, scale->second, &bytes) || bytes == 0) Refuse(option, value, range);
    return bytes;
  }
  const double bytes = std::strtod(number.c_str(), nullptr) * static_cast<double>(scale->second);
  // 2^64 is the first double a uint64_t cannot hold; infinity fails the same test.
  if (!(bytes >= 1) || !(bytes < 0x1p64) || bytes != std::floor(bytes)) Refuse(option, value, range);
  return static_cast<uint64_t>(bytes);
}

double ParseNonNegative(const std::string &option, const std::string &value, const char *what) {
  const std::optional<double> v = Decimal(value);
  if (!v || !std::isfinite(*v)) Refuse(option, value, std::string("a finite ") + what + " >= 0");
  return *v;
}

double ParsePositive(const std::string &option, const std::string &value, const char *what) {
  const std::optional<double> v = Decimal(value);
  if (!v || !std::isfinite(*v) || !(*v > 0)) Refuse(option, value, std::string("a finite ") + what + " > 0");
  return *v;
}

std::vector<uint32_t> ParseMesh(const std::string &option, const std::string &value) {
  const std::vector<std::string> parts = Split(value, 'x');
  std::vector<uint32_t> shape;
  for (const std::string &part : parts) {
    const std::optional<uint64_t> v = WholeNumber(part);
    if (parts.size() > 3 || !v || *v < 1 || *v > (uint64_t{1} << 20))
      Refuse(option, value, "a mesh of 1 to 3 axes of 1 to 1048576 devices each (e.g. 8x8)");
    shape.push_back(static_cast<uint32_t>(*v));
  }
  return shape;
}

std::vector<std::pair<double, double>> ParseLinks(const std::string &option, const std::string &value, size_t axes) {
  const std::vector<std::string> entries = Split(value, ',');
  if (entries.size() > axes)
    throw UsageError{option + ": " + cfp::Quote(value) + " has " + std::to_string(entries.size()) +
                     " BW:LAT entries, one per mesh axis, but the mesh has " + std::to_string(axes)};
  std::vector<std::pair<double, double>> links;
  for (const std::string &entry : entries) {
    const size_t colon = entry.find(':');
    if (colon == std::string::npos) Refuse(option, entry, "a link BW:LAT (bytes/s and seconds, e.g. 50e9:5e-6)");
    links.emplace_back(ParsePositive(option, entry.substr(0, colon), "bandwidth in bytes/s"),
                       ParseNonNegative(option, entry.substr(colon + 1), "latency in seconds"));
  }
  return links;
}

Args ParseArgs(int argc, char **argv, int first, const std::vector<std::string> &flags) {
  Args a;
  for (int i = first; i < argc; ++i) {
    std::string s = argv[i];
    if (s.size() > 1 && s[0] == '-' && !(s.size() > 1 && std::isdigit(static_cast<unsigned char>(s[1])))) {
      std::string key = s.substr(s[1] == '-' ? 2 : 1);
      auto eq = key.find('=');
      if (eq != std::string::npos) {
        a.options[key.substr(0, eq)] = key.substr(eq + 1);
      } else if (std::find(flags.begin(), flags.end(), key) != flags.end()) {
        a.options[key] = "1";
      } else {
        if (i + 1 >= argc) throw UsageError{"option " + s + " needs a value"};
        a.options[key] = argv[++i];
      }
    } else {
      a.positional.push_back(s);
    }
  }
  return a;
}

void Check(cfp_status status, const std::string &what) {
  if (status != CFP_OK) throw CfpError{what + ": " + cfp_last_error_message() + " [" + cfp_status_string(status) + "]"};
}

void CheckOutputPath(const std::string &option, const std::string &path) {
  auto refuse = [&](const std::string &why) { throw CfpError{option + ": cannot write " + cfp::Quote(path) + ": " + why}; };
  struct stat st {};
  std::string file = path;
  if (::stat(path.c_str(), &st) == 0) {
    if (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode)) return;
    if (S_ISDIR(st.st_mode)) refuse("it is a directory");
    if (!S_ISREG(st.st_mode)) refuse("not a regular file");
    // Through a symbolic link, the file it names is the one replaced.
    if (char *real = ::realpath(path.c_str(), nullptr)) {
      file = real;
      std::free(real);
    }
  }
  const size_t slash = file.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : file.substr(0, slash);
  if (::access(dir.c_str(), W_OK | X_OK) != 0)
    refuse(std::string("the directory ") + cfp::Quote(dir) + " cannot be written (" + std::strerror(errno) + ")");
}

cfp_graph *LoadGraphOrModel(const std::string &arg) {
  cfp_graph *g = nullptr;
  struct stat st {};
  if (::stat(arg.c_str(), &st) == 0) {
    Check(cfp_graph_from_file(arg.c_str(), &g), "cannot load graph");
    return g;
  }
  // Model specs contain no '/' and do not end in the graph extension.
  const bool path_like = arg.find('/') != std::string::npos ||
                         (arg.size() > 5 && arg.compare(arg.size() - 5, 5, ".cfpg") == 0);
  if (path_like) throw CfpError{"cannot load graph: '" + arg + "' does not exist"};
  Check(cfp_model_build(arg.c_str(), &g), "'" + arg + "' is neither a graph file nor a model");
  return g;
}

std::string HumanCount(double v) {
  const char *units[] = {"", "K", "M", "B", "T", "P", "E"};
  int u = 0;
  while (v >= 1000 && u < 6) {
    v /= 1000;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f%s" : "%.2f%s", v, units[u]);
  return buf;
}

std::string HumanBytes(double v) {
  const char *units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  int u = 0;
  while (v >= 1024 && u < 5) {
    v /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.2f %s", v, units[u]);
  return buf;
}

std::string HumanTime(double s) {
  char buf[32];
  if (s >= 1) std::snprintf(buf, sizeof buf, "%.3f s", s);
  else if (s >= 1e-3) std::snprintf(buf, sizeof buf, "%.3f ms", s * 1e3);
  else std::snprintf(buf, sizeof buf, "%.3f us", s * 1e6);
  return buf;
}

}  // namespace cfp_cli
