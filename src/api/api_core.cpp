// Version, status strings, the last error, byte buffers and vocabulary names.
#include "api/guard.h"
#include "api/handles.h"
#include "graph/types.h"

namespace cfp::api {
const char *LastErrorMessage();
}

#define CFP_STR2(x) #x
#define CFP_STR(x) CFP_STR2(x)

extern "C" {

CFP_API unsigned cfp_version_number(void) { return CFP_VERSION_NUMBER; }

CFP_API const char *cfp_version_string(void) {
  return CFP_STR(CFP_VERSION_MAJOR) "." CFP_STR(CFP_VERSION_MINOR) "." CFP_STR(CFP_VERSION_PATCH);
}

CFP_API const char *cfp_status_string(cfp_status status) {
  switch (status) {
    case CFP_OK: return "CFP_OK";
    case CFP_ERR_INVALID_ARGUMENT: return "CFP_ERR_INVALID_ARGUMENT";
    case CFP_ERR_INVALID_GRAPH: return "CFP_ERR_INVALID_GRAPH";
    case CFP_ERR_INVALID_DATA: return "CFP_ERR_INVALID_DATA";
    case CFP_ERR_IO: return "CFP_ERR_IO";
    case CFP_ERR_OUT_OF_MEMORY: return "CFP_ERR_OUT_OF_MEMORY";
    case CFP_ERR_OUT_OF_RANGE: return "CFP_ERR_OUT_OF_RANGE";
    case CFP_ERR_BUFFER_TOO_SMALL: return "CFP_ERR_BUFFER_TOO_SMALL";
    case CFP_ERR_INFEASIBLE: return "CFP_ERR_INFEASIBLE";
    case CFP_ERR_UNSUPPORTED: return "CFP_ERR_UNSUPPORTED";
    case CFP_ERR_DEVICE: return "CFP_ERR_DEVICE";
    case CFP_ERR_TIME_LIMIT: return "CFP_ERR_TIME_LIMIT";
    case CFP_ERR_MEMORY_LIMIT: return "CFP_ERR_MEMORY_LIMIT";
    case CFP_ERR_CANCELLED: return "CFP_ERR_CANCELLED";
    case CFP_ERR_INTERNAL: return "CFP_ERR_INTERNAL";
  }
  return "CFP_ERR_UNKNOWN";
}

CFP_API const char *cfp_last_error_message(void) { return cfp::api::LastErrorMessage(); }

CFP_API const void *cfp_bytes_data(const cfp_bytes *bytes) { return bytes ? bytes->data.data() : nullptr; }
CFP_API size_t cfp_bytes_size(const cfp_bytes *bytes) { return bytes ? bytes->data.size() : 0; }
CFP_API void cfp_bytes_destroy(cfp_bytes *bytes) { delete bytes; }

CFP_API const char *cfp_op_kind_name(cfp_op_kind kind) {
  // The names are static string literals, NUL-terminated.
  return cfp::IsValidOpKind(kind) ? cfp::OpKindName(static_cast<cfp::OpKind>(kind)).data() : "unknown";
}
CFP_API const char *cfp_dtype_name(cfp_dtype dtype) {
  return cfp::IsValidDType(dtype) ? cfp::DTypeName(static_cast<cfp::DType>(dtype)).data() : "unknown";
}
CFP_API const char *cfp_tensor_role_name(cfp_tensor_role role) {
  return cfp::IsValidRole(role) ? cfp::RoleName(static_cast<cfp::TensorRole>(role)).data() : "unknown";
}

}  // extern "C"
