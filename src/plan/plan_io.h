// Plans as FlatBuffers (flatbuffers/plan.fbs) and JSON.
#pragma once

#include <string>
#include <vector>

#include "plan/plan.h"

namespace cfp {

inline constexpr uint32_t kPlanSchemaVersion = 1;

std::vector<uint8_t> PlanToBuffer(const Plan &plan);
Result<Plan> PlanFromBuffer(const void *data, size_t size);
std::string PlanToJson(const Plan &plan);

}  // namespace cfp
