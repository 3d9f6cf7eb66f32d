#include "models/model_zoo.h"

#include "graph/autodiff.h"
#include "models/decoder.h"

namespace cfp {

Result<Graph> BuildModel(std::string_view text) {
  CFP_ASSIGN_OR_RETURN(ModelSpec spec, ParseModelSpec(text));
  GraphBuilder b(spec.name);
  // About 100 forward ops and 60 tensors per layer; a fixed part for embedding and loss.
  b.Reserve(static_cast<size_t>(spec.layers) * 64 + 64, static_cast<size_t>(spec.layers) * 112 + 64);
  if (spec.family == ModelFamily::Mlp) EmitMlp(b, spec);
  else EmitDecoder(b, spec);
  auto forward = b.FinishAndReset();
  if (!forward.ok())
    return Internal("model '" + spec.name + "' built an invalid graph: " + forward.status().message());
  if (spec.optimizer == "none") return forward;
  return MakeTrainingGraph(*forward, spec.optimizer);
}

}  // namespace cfp
