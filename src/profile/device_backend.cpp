#include "profile/device_backend.h"

#include "cfp.h"

#define CFP_STR2(x) #x
#define CFP_STR(x) CFP_STR2(x)

namespace cfp {

bool IsValidCollectiveKind(int v) { return v >= 0 && v <= static_cast<int>(CollectiveKind::AllToAll); }

std::string DeviceBackend::LibraryVersion() const {
  return "cfp " CFP_STR(CFP_VERSION_MAJOR) "." CFP_STR(CFP_VERSION_MINOR) "." CFP_STR(CFP_VERSION_PATCH);
}

Result<std::vector<std::vector<double>>> DeviceBackend::EvaluateProgram(const Graph &,
                                                                        const std::map<uint32_t, std::vector<double>> &) {
  return Unsupported("device backend '" + DeviceName() + "' cannot evaluate programs");
}

}  // namespace cfp
