#include "models/model_spec.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <vector>

#include "util/quote.h"

namespace cfp {

std::string_view FamilyName(ModelFamily f) {
  switch (f) {
    case ModelFamily::Mlp: return "mlp";
    case ModelFamily::Gpt: return "gpt";
    case ModelFamily::Llama: return "llama";
    case ModelFamily::Moe: return "moe";
  }
  return "unknown";
}

namespace {

struct Family {
  ModelFamily family;
  std::string_view defaults;  // applied before a bare family's overrides
  std::vector<std::string_view> keys;
};

const std::vector<Family> &Families() {
  static const std::vector<Family> kFamilies = {
      {ModelFamily::Mlp, "layers=6,hidden=256,batch=32,dtype=f32", {"layers", "hidden", "batch", "dtype", "optimizer"}},
      {ModelFamily::Gpt,
       "layers=12,hidden=768,heads=12,seq=1024,batch=8,vocab=50257",
       {"layers", "hidden", "heads", "ffn", "seq", "batch", "vocab", "dtype", "tied", "optimizer"}},
      {ModelFamily::Llama,
       "layers=32,hidden=4096,heads=32,kv_heads=32,seq=4096,batch=8,vocab=32000",
       {"layers", "hidden", "heads", "kv_heads", "ffn", "seq", "batch", "vocab", "dtype", "tied", "rope_theta",
        "optimizer"}},
      {ModelFamily::Moe,
       "layers=16,hidden=1024,heads=16,ffn=8192,seq=1024,batch=8,vocab=32000,experts=16,top_k=2",
       {"layers", "hidden", "heads", "ffn", "seq", "batch", "vocab", "experts", "top_k", "group", "dtype", "tied",
        "optimizer"}},
  };
  return kFamilies;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string KeyList(const Family &f) {
  std::string s;
  for (auto k : f.keys) s += (s.empty() ? "" : ", ") + std::string(k);
  return s;
}

// Limits that keep every tensor's byte size far inside int64 and op counts sane.
constexpr int64_t kMaxDim = int64_t{1} << 31;
constexpr int64_t kMaxLayers = 4096;

Result<int64_t> PositiveInt(std::string_view key, std::string_view value) {
  int64_t v = 0;
  // At most 12 digits, so the value cannot overflow while it is read.
  bool ok = !value.empty() && value.size() <= 12;
  for (char c : value) {
    if (!ok || c < '0' || c > '9') {
      ok = false;
      break;
    }
    v = v * 10 + (c - '0');
  }
  const int64_t limit = key == "layers" ? kMaxLayers : kMaxDim;
  if (!ok || v < 1 || v > limit)
    return InvalidArgument(std::string(key) + " must be an integer from 1 to " + std::to_string(limit) + ", got " +
                           Quote(value));
  return v;
}

Status Apply(ModelSpec &m, const Family &fam, std::string_view key, std::string_view value) {
  bool known = false;
  for (auto k : fam.keys) known |= k == key;
  if (!known) {
    bool elsewhere = false;
    for (const Family &f : Families())
      for (auto k : f.keys) elsewhere |= k == key;
    if (elsewhere)
      return InvalidArgument("key " + Quote(key) + " does not apply to the " + std::string(FamilyName(fam.family)) +
                             " family (its keys: " + KeyList(fam) + ")");
    return InvalidArgument("unknown key " + Quote(key) + " (keys of " + std::string(FamilyName(fam.family)) +
                           ": " + KeyList(fam) + ")");
  }
  if (key == "dtype") {
    auto dt = ParseDType(value);
    if (!dt || (*dt != DType::F32 && *dt != DType::BF16 && *dt != DType::F16))
      return InvalidArgument("dtype must be f32, bf16 or f16, got " + Quote(value));
    m.dtype = *dt;
    return Status::Ok();
  }
  if (key == "optimizer") {
    if (value != "adam" && value != "sgd" && value != "none")
      return InvalidArgument("optimizer must be adam, sgd or none, got " + Quote(value));
    m.optimizer = std::string(value);
    return Status::Ok();
  }
  if (key == "tied") {
    if (value == "true" || value == "1") m.tied = true;
    else if (value == "false" || value == "0") m.tied = false;
    else return InvalidArgument("tied must be true or false, got " + Quote(value));
    return Status::Ok();
  }
  if (key == "rope_theta") {
    std::string s(value);
    char *end = nullptr;
    double v = s.empty() ? 0 : std::strtod(s.c_str(), &end);
    if (s.empty() || end != s.c_str() + s.size() || !std::isfinite(v) || v <= 1)
      return InvalidArgument("rope_theta must be a number greater than 1, got " + Quote(s));
    m.rope_theta = v;
    return Status::Ok();
  }
  CFP_ASSIGN_OR_RETURN(int64_t v, PositiveInt(key, value));
  int64_t *field = key == "layers"     ? &m.layers
                   : key == "hidden"   ? &m.hidden
                   : key == "heads"    ? &m.heads
                   : key == "kv_heads" ? &m.kv_heads
                   : key == "ffn"      ? &m.ffn
                   : key == "seq"      ? &m.seq
                   : key == "batch"    ? &m.batch
                   : key == "vocab"    ? &m.vocab
                   : key == "experts"  ? &m.experts
                   : key == "top_k"    ? &m.top_k
                                       : &m.group;
  *field = v;
  return Status::Ok();
}

// Applies "key=value,..." to `m`; `seen` catches a key given twice in one list.
Status ApplyList(ModelSpec &m, const Family &fam, std::string_view list) {
  std::set<std::string, std::less<>> seen;
  while (!list.empty()) {
    size_t comma = list.find(',');
    std::string_view item = Trim(list.substr(0, comma));
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    if (item.empty()) return InvalidArgument("empty entry in the key=value list");
    size_t eq = item.find('=');
    if (eq == std::string_view::npos) return InvalidArgument(Quote(item) + " is not key=value");
    std::string_view key = Trim(item.substr(0, eq)), value = Trim(item.substr(eq + 1));
    if (!seen.insert(std::string(key)).second) return InvalidArgument("key " + Quote(key) + " is given twice");
    CFP_RETURN_IF_ERROR(Apply(m, fam, key, value));
  }
  return Status::Ok();
}

// "9.9e+27" rather than std::to_string's 28 digits and six decimals.
std::string Approx(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", v);
  return buf;
}

// The spec's largest tensors, weights and activations, must stay far inside int64 bytes.
Status CheckLargestTensor(const ModelSpec &m) {
  const double b = static_cast<double>(m.batch), s = static_cast<double>(m.seq), h = static_cast<double>(m.hidden);
  double largest = 0;
  if (m.family == ModelFamily::Mlp) {
    largest = std::max(b * h, h * h);  // activations [B,H], weights [H,H]
  } else {
    const double v = static_cast<double>(m.vocab), f = static_cast<double>(m.ffn);
    // Activations: logits [B,S,V], attention scores [B,heads,S,S], FFN [B,S,F]; weights:
    // embedding [V,H], projections [H,H] and [H,F].
    largest = std::max({b * s * std::max({v, f, static_cast<double>(m.heads) * s}), v * h, h * std::max(h, f)});
    if (m.family == ModelFamily::Moe) {
      const double e = static_cast<double>(m.experts);
      // Expert weights [E,H,F] and the dispatch buffers of every group.
      largest = std::max({largest, e * h * f,
                          b * s * e * static_cast<double>(m.capacity()) *
                              std::max(1.0, f / static_cast<double>(m.group))});
    }
  }
  if (largest * 4 < 0x1p62) return Status::Ok();
  return InvalidArgument("the spec makes tensors of about " + Approx(largest) + " elements, more than this library handles");
}

// Expert selection is unrolled into top_k rounds of operators per MoE layer. Published
// MoE models route each token to 1 to 8 experts.
constexpr int64_t kMaxTopK = 64;

Status Validate(ModelSpec &m) {
  auto need = [](bool ok, const std::string &msg) { return ok ? Status::Ok() : InvalidArgument(msg); };
  if (m.family == ModelFamily::Mlp) return CheckLargestTensor(m);
  if (m.family != ModelFamily::Llama || m.kv_heads == 0) m.kv_heads = m.heads;
  CFP_RETURN_IF_ERROR(need(m.hidden % m.heads == 0, "hidden (" + std::to_string(m.hidden) +
                                                        ") must be divisible by heads (" + std::to_string(m.heads) + ")"));
  if (m.family == ModelFamily::Llama) {
    CFP_RETURN_IF_ERROR(need(m.kv_heads <= m.heads && m.heads % m.kv_heads == 0,
                             "heads (" + std::to_string(m.heads) + ") must be a multiple of kv_heads (" +
                                 std::to_string(m.kv_heads) + ")"));
    CFP_RETURN_IF_ERROR(need(m.head_dim() % 2 == 0, "hidden / heads (" + std::to_string(m.head_dim()) +
                                                        ") must be even for rotary embeddings"));
  }
  if (m.ffn == 0) {
    // Llama's SwiGLU width: 2/3 of 4 * hidden, rounded up to a multiple of 256.
    m.ffn = m.family == ModelFamily::Llama ? (8 * m.hidden / 3 + 255) / 256 * 256 : 4 * m.hidden;
  }
  if (m.family == ModelFamily::Moe) {
    CFP_RETURN_IF_ERROR(need(m.top_k <= m.experts, "top_k (" + std::to_string(m.top_k) + ") must not exceed experts (" +
                                                       std::to_string(m.experts) + ")"));
    CFP_RETURN_IF_ERROR(need(m.top_k <= kMaxTopK, "top_k must be at most " + std::to_string(kMaxTopK) + ", got " +
                                                      std::to_string(m.top_k) + " (each choice is a round of operators)"));
    if (m.group == 0) m.group = m.seq;
    const double tokens = static_cast<double>(m.batch) * static_cast<double>(m.seq);
    CFP_RETURN_IF_ERROR(need(std::fmod(tokens, static_cast<double>(m.group)) == 0,
                             "group (" + std::to_string(m.group) + ") must divide batch * seq (" +
                                 std::to_string(static_cast<int64_t>(tokens)) + ")"));
  }
  return CheckLargestTensor(m);
}

}  // namespace

Result<ModelSpec> ParseModelSpec(std::string_view text) {
  const std::string_view spec = Trim(text);
  auto fail = [&](const Status &s) { return InvalidArgument("model spec " + Quote(spec) + ": " + s.message()); };
  if (spec.empty()) return InvalidArgument("model spec is empty");
  const size_t colon = spec.find(':');
  const std::string_view head = Trim(spec.substr(0, colon));
  const std::string_view overrides = colon == std::string_view::npos ? std::string_view() : spec.substr(colon + 1);
  if (colon != std::string_view::npos && Trim(overrides).empty())
    return fail(InvalidArgument("nothing follows ':'"));

  ModelSpec m;
  m.name = std::string(spec);
  std::string_view base;
  for (const ModelPreset &p : ModelPresets())
    if (p.name == head) base = p.spec;
  std::string_view family_name = base.empty() ? head : base.substr(0, base.find(':'));
  const Family *fam = nullptr;
  for (const Family &f : Families())
    if (FamilyName(f.family) == family_name) fam = &f;
  if (fam == nullptr) {
    std::string presets;
    for (const ModelPreset &p : ModelPresets()) presets += (presets.empty() ? "" : ", ") + std::string(p.name);
    return fail(InvalidArgument("unknown model " + Quote(head) + ": expected a family (mlp, gpt, llama, moe) or a preset (" +
                                presets + ")"));
  }
  m.family = fam->family;
  if (m.family == ModelFamily::Mlp) m.dtype = DType::F32;
  if (m.family == ModelFamily::Llama) m.tied = false;
  // Preset or family defaults first, then the user's overrides.
  Status s = ApplyList(m, *fam, base.empty() ? fam->defaults : base.substr(base.find(':') + 1));
  if (!s.ok()) return Internal("preset " + Quote(head) + " is malformed: " + s.message());
  if (!overrides.empty()) {
    s = ApplyList(m, *fam, overrides);
    if (!s.ok()) return fail(s);
  }
  s = Validate(m);
  if (!s.ok()) return fail(s);
  return m;
}

}  // namespace cfp
