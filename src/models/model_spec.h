// Model specs: "family:key=value,...", a preset name, or "preset:key=value,..." (docs/design.md §3,
// docs/models.md). The spec fixes every dimension of a model-zoo graph.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "graph/types.h"
#include "util/status.h"

namespace cfp {

enum class ModelFamily { Mlp, Gpt, Llama, Moe };

std::string_view FamilyName(ModelFamily f);

struct ModelSpec {
  ModelFamily family = ModelFamily::Gpt;
  std::string name;  // the spec as given, trimmed; becomes the graph's name
  int64_t layers = 0;
  int64_t hidden = 0;
  int64_t heads = 0;
  int64_t kv_heads = 0;  // llama: grouped-query attention; others: = heads
  int64_t ffn = 0;
  int64_t seq = 0;
  int64_t batch = 0;
  int64_t vocab = 0;
  int64_t experts = 0;   // moe
  int64_t top_k = 0;     // moe
  int64_t group = 0;     // moe: tokens per dispatch group
  DType dtype = DType::BF16;  // compute dtype; master weights are always f32
  bool tied = true;      // output head shares the token embedding
  double rope_theta = 10000;  // llama
  std::string optimizer = "adam";  // adam | sgd | none

  int64_t head_dim() const { return heads > 0 ? hidden / heads : 0; }
  // GShard expert capacity: top_k * group / experts slots per expert and group, rounded up.
  int64_t capacity() const { return experts > 0 ? (top_k * group + experts - 1) / experts : 0; }
};

struct ModelPreset {
  std::string_view name;
  std::string_view spec;         // family spec the preset stands for
  std::string_view description;  // one line: what and from where
};

std::span<const ModelPreset> ModelPresets();

// Parses and validates a spec. Every bad key or value is kInvalidArgument naming it.
Result<ModelSpec> ParseModelSpec(std::string_view spec);

}  // namespace cfp
