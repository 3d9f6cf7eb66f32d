#include "api/guard.h"

namespace cfp::api {
namespace {
thread_local std::string t_last_error;
}

cfp_status FailNoThrow(Code code, const char *function, const char *prefix, const char *message) noexcept {
  try {
    t_last_error.assign(function).append(": ").append(prefix).append(message);
  } catch (...) {
    t_last_error.clear();
  }
  return static_cast<cfp_status>(code);
}

cfp_status SetError(const char *function, const Status &status) {
  if (status.ok()) {
    t_last_error.clear();
    return CFP_OK;
  }
  return FailNoThrow(status.code(), function, "", status.message().c_str());
}

void ClearError() { t_last_error.clear(); }

Status NotNull(const void *p, const char *what) {
  if (p == nullptr) return InvalidArgument(std::string(what) + " must not be NULL");
  return Status::Ok();
}

const char *LastErrorMessage() { return t_last_error.c_str(); }

}  // namespace cfp::api
