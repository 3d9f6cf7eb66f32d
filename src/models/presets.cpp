// The named model presets. Dimensions come from each model's paper; the per-step batch
// (in sequences) is the paper's batch in tokens divided by the sequence length where the
// paper gives one, else the value stated in the description.
#include "models/model_spec.h"

namespace cfp {
namespace {

constexpr ModelPreset kPresets[] = {
    // GPT-2 (Radford et al. 2019, Table 2; context 1024, batch 512 sequences).
    {"gpt2-small", "gpt:layers=12,hidden=768,heads=12,seq=1024,batch=512,vocab=50257", "GPT-2 124M"},
    {"gpt2-medium", "gpt:layers=24,hidden=1024,heads=16,seq=1024,batch=512,vocab=50257", "GPT-2 355M"},
    {"gpt2-large", "gpt:layers=36,hidden=1280,heads=20,seq=1024,batch=512,vocab=50257", "GPT-2 774M"},
    {"gpt2-xl", "gpt:layers=48,hidden=1600,heads=25,seq=1024,batch=512,vocab=50257", "GPT-2 1.5B"},
    // GPT-3 (Brown et al. 2020, Table 2.1; context 2048, batch in tokens / 2048).
    {"gpt3-125m", "gpt:layers=12,hidden=768,heads=12,seq=2048,batch=256,vocab=50257", "GPT-3 Small, 0.5M tokens/step"},
    {"gpt3-350m", "gpt:layers=24,hidden=1024,heads=16,seq=2048,batch=256,vocab=50257", "GPT-3 Medium, 0.5M tokens/step"},
    {"gpt3-760m", "gpt:layers=24,hidden=1536,heads=16,seq=2048,batch=256,vocab=50257", "GPT-3 Large, 0.5M tokens/step"},
    // Table 2.1 lists 24 heads of 128 for d_model 2048; 16 heads of 128 is what adds up.
    {"gpt3-1.3b", "gpt:layers=24,hidden=2048,heads=16,seq=2048,batch=512,vocab=50257", "GPT-3 XL, 1M tokens/step"},
    {"gpt3-2.7b", "gpt:layers=32,hidden=2560,heads=32,seq=2048,batch=512,vocab=50257", "GPT-3 2.7B, 1M tokens/step"},
    {"gpt3-6.7b", "gpt:layers=32,hidden=4096,heads=32,seq=2048,batch=1024,vocab=50257", "GPT-3 6.7B, 2M tokens/step"},
    // Table 2.1 lists d_model 5140, a typo for 40 heads x 128 = 5120.
    {"gpt3-13b", "gpt:layers=40,hidden=5120,heads=40,seq=2048,batch=1024,vocab=50257", "GPT-3 13B, 2M tokens/step"},
    {"gpt3-175b", "gpt:layers=96,hidden=12288,heads=96,seq=2048,batch=1536,vocab=50257", "GPT-3 175B, 3.2M tokens/step"},
    // Llama 2 (Touvron et al. 2023, Table 1 and Section 2.2: 4M tokens per step).
    {"llama2-7b", "llama:layers=32,hidden=4096,heads=32,kv_heads=32,ffn=11008,seq=4096,batch=1024,vocab=32000",
     "Llama 2 7B, 4M tokens/step"},
    {"llama2-13b", "llama:layers=40,hidden=5120,heads=40,kv_heads=40,ffn=13824,seq=4096,batch=1024,vocab=32000",
     "Llama 2 13B, 4M tokens/step"},
    {"llama2-70b", "llama:layers=80,hidden=8192,heads=64,kv_heads=8,ffn=28672,seq=4096,batch=1024,vocab=32000",
     "Llama 2 70B (GQA, 8 KV heads), 4M tokens/step"},
    // Llama 3 (Meta 2024 model card: 8K context, GQA, 128K vocabulary, RoPE base 500000).
    {"llama3-8b",
     "llama:layers=32,hidden=4096,heads=32,kv_heads=8,ffn=14336,seq=8192,batch=512,vocab=128256,rope_theta=500000",
     "Llama 3 8B, 4M tokens/step (our choice)"},
    {"llama3-70b",
     "llama:layers=80,hidden=8192,heads=64,kv_heads=8,ffn=28672,seq=8192,batch=512,vocab=128256,rope_theta=500000",
     "Llama 3 70B, 4M tokens/step (our choice)"},
    // GShard MoE as benchmarked by Alpa (Zheng et al. 2022, Table 4; FFN 8x hidden, top-2,
    // every other layer MoE, vocabulary 32000, sequence 1024).
    {"gshard-moe-2.4b", "moe:layers=16,hidden=1024,heads=16,ffn=8192,seq=1024,batch=1024,vocab=32000,experts=16,top_k=2",
     "GShard MoE 2.4B, 16 experts, 1M tokens/step (our choice)"},
    {"gshard-moe-70b", "moe:layers=32,hidden=2048,heads=16,ffn=16384,seq=1024,batch=1024,vocab=32000,experts=64,top_k=2",
     "GShard MoE 70B, 64 experts, 1M tokens/step (our choice)"},
    {"gshard-moe-140b",
     "moe:layers=32,hidden=2048,heads=16,ffn=16384,seq=1024,batch=1024,vocab=32000,experts=128,top_k=2",
     "GShard MoE 140B, 128 experts, 1M tokens/step (our choice)"},
};

}  // namespace

std::span<const ModelPreset> ModelPresets() { return kPresets; }

}  // namespace cfp
