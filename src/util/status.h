// Errors as values: Status for expected failures (bad input, infeasible budget) and
// Result<T> for functions that produce a value or fail. Codes mirror cfp_status.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace cfp {

enum class Code : int {
  kOk = 0,
  kInvalidArgument = 1,
  kInvalidGraph = 2,
  kInvalidData = 3,
  kIo = 4,
  kOutOfMemory = 5,
  kOutOfRange = 6,
  kBufferTooSmall = 7,
  kInfeasible = 8,
  kUnsupported = 9,
  kDevice = 10,
  kTimeLimit = 11,
  kMemoryLimit = 12,
  kCancelled = 13,
  kInternal = 14,
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}
  static Status Ok() { return {}; }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string &message() const { return message_; }

 private:
  Code code_ = Code::kOk;
  std::string message_;
};

inline Status InvalidArgument(std::string m) { return {Code::kInvalidArgument, std::move(m)}; }
inline Status InvalidGraph(std::string m) { return {Code::kInvalidGraph, std::move(m)}; }
inline Status InvalidData(std::string m) { return {Code::kInvalidData, std::move(m)}; }
inline Status IoError(std::string m) { return {Code::kIo, std::move(m)}; }
inline Status OutOfRange(std::string m) { return {Code::kOutOfRange, std::move(m)}; }
inline Status Unsupported(std::string m) { return {Code::kUnsupported, std::move(m)}; }
inline Status Internal(std::string m) { return {Code::kInternal, std::move(m)}; }

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) { assert(!std::get<Status>(v_).ok()); }  // NOLINT

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status &status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T &value() & { return std::get<T>(v_); }
  const T &value() const & { return std::get<T>(v_); }
  T &&value() && { return std::get<T>(std::move(v_)); }
  T *operator->() { return &value(); }
  const T *operator->() const { return &value(); }
  T &operator*() & { return value(); }
  const T &operator*() const & { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace cfp

#define CFP_CONCAT_INNER(a, b) a##b
#define CFP_CONCAT(a, b) CFP_CONCAT_INNER(a, b)

// Returns the Status of `expr` from the enclosing function if it failed.
#define CFP_RETURN_IF_ERROR(expr)              \
  do {                                         \
    ::cfp::Status cfp_status_ = (expr);        \
    if (!cfp_status_.ok()) return cfp_status_; \
  } while (0)

// `lhs = value of expr` or returns its Status.
#define CFP_ASSIGN_OR_RETURN(lhs, expr) CFP_ASSIGN_OR_RETURN_IMPL(CFP_CONCAT(cfp_result_, __LINE__), lhs, expr)
#define CFP_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                              \
  if (!tmp.ok()) return tmp.status();             \
  lhs = std::move(tmp).value()
