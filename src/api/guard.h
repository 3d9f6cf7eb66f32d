// The C boundary's discipline: every entry point runs its body inside Guard, which clears
// the thread's last error, maps a failed Status or any C++ exception to a cfp_status and a
// message, and never lets an exception escape.
#pragma once

#include <string>

#include "cfp.h"
#include "util/status.h"

namespace cfp::api {

// Records a failed status as "function: message"; returns its code (CFP_OK for ok).
cfp_status SetError(const char *function, const Status &status);
void ClearError();
// Records "function: prefix message" without letting an allocation failure escape.
cfp_status FailNoThrow(Code code, const char *function, const char *prefix, const char *message) noexcept;

// Runs `body` (returning Status); catches everything.
template <class F>
cfp_status Guard(const char *function, F &&body) noexcept {
  try {
    ClearError();
    return SetError(function, body());
  } catch (const std::bad_alloc &) {
    return FailNoThrow(Code::kOutOfMemory, function, "out of memory", "");
  } catch (const std::exception &e) {
    return FailNoThrow(Code::kInternal, function, "internal error: ", e.what());
  } catch (...) {
    return FailNoThrow(Code::kInternal, function, "internal error: ", "unknown exception");
  }
}

// "name must not be NULL" as a Status.
Status NotNull(const void *p, const char *what);

}  // namespace cfp::api

// Sets *out to a neutral value first so callers never see garbage on failure.
#define CFP_API_CLEAR_OUT(out, value) \
  do {                                \
    if ((out) != nullptr) *(out) = (value); \
  } while (0)
