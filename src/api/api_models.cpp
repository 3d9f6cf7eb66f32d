// The model zoo and the training transform.
#include <string>

#include "api/guard.h"
#include "api/handles.h"
#include "graph/autodiff.h"
#include "models/model_spec.h"
#include "models/model_zoo.h"

using cfp::Status;
using cfp::api::Guard;
using cfp::api::NotNull;

namespace cfp::api {
Status ReturnGraph(cfp::Graph g, cfp_graph **out);
}

extern "C" {

CFP_API cfp_status cfp_model_build(const char *spec, cfp_graph **out) {
  CFP_API_CLEAR_OUT(out, nullptr);
  return Guard(__func__, [&]() -> Status {
    CFP_RETURN_IF_ERROR(NotNull(spec, "spec"));
    CFP_RETURN_IF_ERROR(NotNull(out, "out"));
    CFP_ASSIGN_OR_RETURN(auto g, cfp::BuildModel(spec));
    return cfp::api::ReturnGraph(std::move(g), out);
  });
}

CFP_API cfp_status cfp_model_preset_count(uint32_t *out) {
  CFP_API_CLEAR_OUT(out, 0);
  return Guard(__func__, [&]() -> Status {
    CFP_RETURN_IF_ERROR(NotNull(out, "out"));
    *out = static_cast<uint32_t>(cfp::ModelPresets().size());
    return Status::Ok();
  });
}

CFP_API cfp_status cfp_model_preset_name(uint32_t index, const char **out) {
  CFP_API_CLEAR_OUT(out, nullptr);
  return Guard(__func__, [&]() -> Status {
    CFP_RETURN_IF_ERROR(NotNull(out, "out"));
    const auto presets = cfp::ModelPresets();
    if (index >= presets.size())
      return cfp::OutOfRange("preset " + std::to_string(index) + " is out of range (there are " +
                             std::to_string(presets.size()) + ")");
    // Preset names are string literals, so the view's data is NUL-terminated and static.
    *out = presets[index].name.data();
    return Status::Ok();
  });
}

CFP_API cfp_status cfp_graph_make_training(const cfp_graph *forward, const char *optimizer, cfp_graph **out) {
  CFP_API_CLEAR_OUT(out, nullptr);
  return Guard(__func__, [&]() -> Status {
    CFP_RETURN_IF_ERROR(NotNull(forward, "forward"));
    CFP_RETURN_IF_ERROR(NotNull(optimizer, "optimizer"));
    CFP_RETURN_IF_ERROR(NotNull(out, "out"));
    CFP_ASSIGN_OR_RETURN(auto g, cfp::MakeTrainingGraph(*forward->graph, optimizer));
    return cfp::api::ReturnGraph(std::move(g), out);
  });
}

}  // extern "C"
