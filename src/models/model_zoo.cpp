#include "models/model_zoo.h"

#include "graph/autodiff.h"
#include "models/decoder.h"
#include "util/quote.h"

namespace cfp {

Result<Graph> BuildModel(std::string_view text) {
  CFP_ASSIGN_OR_RETURN(ModelSpec spec, ParseModelSpec(text));
  GraphBuilder b(spec.name);
  // At most about 130 forward ops and 160 tensors per layer (GPT: 100 and 130), a fixed
  // part for embedding, head and loss.
  const auto layers = static_cast<size_t>(spec.layers);
  b.Reserve(layers * 160 + 64, layers * 130 + 64);
  if (spec.family == ModelFamily::Mlp) EmitMlp(b, spec);
  else EmitDecoder(b, spec);
  auto forward = b.FinishAndReset();
  if (!forward.ok())
    return Internal("model " + Quote(spec.name) + " built an invalid graph: " + forward.status().message());
  if (spec.optimizer == "none") return forward;
  return MakeTrainingGraph(*forward, spec.optimizer);
}

}  // namespace cfp
