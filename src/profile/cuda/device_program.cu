#include "profile/cuda/device_program.h"

#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "profile/cuda/cuda_status.h"
#include "profile/kernel_steps.h"

namespace cfp::cuda {
namespace {

using namespace cfp::kernel;

constexpr int kThreads = 256;
constexpr size_t kAlignment = 256;  // cudaMalloc's own alignment, kept for every buffer

// ---- Kernels: grid-stride loops over the element functions of kernel_steps.h ----------

template <class C>
__global__ void MapKernel(MapStep m, void *out, const void *in0, const void *in1, const void *in2) {
  const void *in[3] = {in0, in1, in2};
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < m.count;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x)
    MapElement<C>(m, out, in, i);
}

// One output per thread: for short reductions.
template <class C>
__global__ void ReduceRowsKernel(ReduceStep r, const void *in, void *out) {
  for (int64_t o = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; o < r.out_count;
       o += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const C acc = ReducePartial<C>(r, in, ReduceBase(r, o), 0, r.red_count, 1, ReduceInit<C>(r.kind));
    StoreFrom<C>(out, r.out.dtype, StridedOffset(o, r.out_rank, r.out_shape, r.out.stride, r.out.offset), acc);
  }
}

// One block per output: threads stride over the reduced elements, then a tree in shared
// memory combines their partial results.
template <class C>
__global__ void ReduceBlocksKernel(ReduceStep r, const void *in, void *out) {
  __shared__ C partial[kThreads];
  for (int64_t o = blockIdx.x; o < r.out_count; o += gridDim.x) {
    partial[threadIdx.x] =
        ReducePartial<C>(r, in, ReduceBase(r, o), threadIdx.x, r.red_count, blockDim.x, ReduceInit<C>(r.kind));
    __syncthreads();
    for (unsigned s = blockDim.x / 2; s > 0; s /= 2) {
      if (threadIdx.x < s) partial[threadIdx.x] = ReduceCombine<C>(r.kind, partial[threadIdx.x], partial[threadIdx.x + s]);
      __syncthreads();
    }
    if (threadIdx.x == 0)
      StoreFrom<C>(out, r.out.dtype, StridedOffset(o, r.out_rank, r.out_shape, r.out.stride, r.out.offset), partial[0]);
    __syncthreads();
  }
}

__global__ void GatherKernel(GatherStep g, void *out, const void *table, const void *ids) {
  const int64_t n = g.num_ids * g.row_len;
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x)
    GatherElement(g, out, table, ids, i);
}

__global__ void ScatterAddKernel(ScatterAddStep s, void *out, const void *ids, const void *updates) {
  const int64_t n = s.num_ids * s.row_len;
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const int64_t t = ScatterTarget(s, ids, i);
    if (t < 0) continue;
    switch (s.dtype) {
      case DType::F32: atomicAdd(static_cast<float *>(out) + t, static_cast<const float *>(updates)[i]); break;
      case DType::F16: atomicAdd(static_cast<__half *>(out) + t, static_cast<const __half *>(updates)[i]); break;
      case DType::BF16:
        atomicAdd(static_cast<__nv_bfloat16 *>(out) + t, static_cast<const __nv_bfloat16 *>(updates)[i]);
        break;
      case DType::I32: atomicAdd(static_cast<int *>(out) + t, static_cast<const int *>(updates)[i]); break;
      case DType::I64:
        // Two's complement: an unsigned add is the signed add.
        atomicAdd(static_cast<unsigned long long *>(out) + t,
                  static_cast<unsigned long long>(static_cast<const int64_t *>(updates)[i]));
        break;
      default: break;  // rejected when lowering
    }
  }
}

// GEMM by its definition, for the dtypes cuBLAS does not take (integers, f8, mixed).
template <class C>
__global__ void GenericGemmKernel(GemmStep g, void *out, const void *lhs, const void *rhs) {
  const int64_t n = g.batch * g.m * g.n;
  for (int64_t e = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; e < n;
       e += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const int64_t j = e % g.n, i = (e / g.n) % g.m, b = e / (g.n * g.m);
    GemmElement<C>(g, out, lhs, rhs, b, i, j);
  }
}

__global__ void RandomFillKernel(void *buf, DType dtype, int64_t n, uint64_t seed, int64_t lo, int64_t hi) {
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x)
    StoreRandom(buf, dtype, i, seed, lo, hi);
}

template <class C>
__global__ void ValueFillKernel(void *buf, DType dtype, int64_t n, C value) {
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x)
    StoreFrom<C>(buf, dtype, i, value);
}

// Enough blocks to fill the GPU, no more: the loops stride over the rest.
unsigned Blocks(int64_t n, const DeviceContext &ctx) {
  const int64_t wanted = (n + kThreads - 1) / kThreads;
  return static_cast<unsigned>(std::max<int64_t>(1, std::min<int64_t>(wanted, int64_t{ctx.sm_count} * 32)));
}

std::optional<cudaDataType> CudaType(DType d) {
  switch (d) {
    case DType::F32: return CUDA_R_32F;
    case DType::BF16: return CUDA_R_16BF;
    case DType::F16: return CUDA_R_16F;
    default: return std::nullopt;
  }
}

// The cuBLAS compute type for (operands, result), or nullopt when cuBLAS's GemmEx does
// not take the combination (then the generic kernel runs it).
std::optional<cublasComputeType_t> ComputeTypeFor(const GemmStep &g, bool allow_tf32) {
  if (g.lhs_dtype != g.rhs_dtype) return std::nullopt;
  const DType in = g.lhs_dtype, out = g.out_dtype;
  if (in == DType::F32 && out == DType::F32) return allow_tf32 ? CUBLAS_COMPUTE_32F_FAST_TF32 : CUBLAS_COMPUTE_32F;
  // Half-precision operands accumulate in f32 (cuBLAS's table of GemmEx types).
  if ((in == DType::BF16 || in == DType::F16) && (out == in || out == DType::F32)) return CUBLAS_COMPUTE_32F;
  return std::nullopt;
}

}  // namespace

Result<std::unique_ptr<DeviceProgram>> DeviceProgram::Create(KernelPlan plan, const DeviceContext &ctx) {
  std::unique_ptr<DeviceProgram> p(new DeviceProgram(std::move(plan), ctx));
  std::vector<size_t> offsets;
  size_t total = 0;
  for (const KernelBuffer &b : p->plan_.buffers) {
    offsets.push_back(total);
    const size_t bytes = static_cast<size_t>(b.elements) * static_cast<size_t>(DTypeBytes(b.dtype));
    total += (bytes + kAlignment - 1) / kAlignment * kAlignment;
  }
  CFP_CUDA_TRY(cudaSetDevice(ctx.device));
  if (total > 0) {
    cudaError_t e = cudaMalloc(&p->arena_, total);
    if (e != cudaSuccess) {
      cudaGetLastError();  // clear it: the device stays usable
      size_t free = 0, capacity = 0;
      cudaMemGetInfo(&free, &capacity);
      return Status(Code::kOutOfMemory, "the program needs " + std::to_string(total) + " bytes of device memory, " +
                                            std::to_string(free) + " are free");
    }
  }
  for (size_t off : offsets) p->buffers_.push_back(static_cast<char *>(p->arena_) + off);
  return std::move(p);
}

DeviceProgram::~DeviceProgram() {
  if (arena_) {
    cudaSetDevice(ctx_.device);
    cudaStreamSynchronize(ctx_.stream);
    cudaFree(arena_);
  }
}

Status DeviceProgram::FillInputs(const std::map<uint32_t, std::vector<double>> &given, uint64_t seed) {
  CFP_CUDA_TRY(cudaSetDevice(ctx_.device));
  for (const InputFill &f : plan_.inputs) {
    const KernelBuffer &b = plan_.buffers[f.tensor];
    void *dst = ptr(static_cast<int32_t>(f.tensor));
    if (b.elements == 0) continue;
    if (auto it = given.find(f.tensor); it != given.end()) {
      if (it->second.size() != static_cast<size_t>(b.elements))
        return InvalidArgument("input tensor " + std::to_string(f.tensor) + " needs " + std::to_string(b.elements) +
                               " values, got " + std::to_string(it->second.size()));
      std::vector<uint8_t> host(static_cast<size_t>(b.elements) * static_cast<size_t>(DTypeBytes(b.dtype)));
      for (int64_t i = 0; i < b.elements; ++i) {
        const double v = it->second[static_cast<size_t>(i)];
        if (IsFloatDType(b.dtype)) StoreFrom<float>(host.data(), b.dtype, i, static_cast<float>(v));
        else StoreFrom<int64_t>(host.data(), b.dtype, i, static_cast<int64_t>(v));
      }
      CFP_CUDA_TRY(cudaMemcpyAsync(dst, host.data(), host.size(), cudaMemcpyHostToDevice, ctx_.stream));
      // `host` dies at the end of this iteration.
      CFP_CUDA_TRY(cudaStreamSynchronize(ctx_.stream));
    } else if (f.kind == InputFill::Kind::Value) {
      if (IsFloatDType(b.dtype))
        ValueFillKernel<float><<<Blocks(b.elements, ctx_), kThreads, 0, ctx_.stream>>>(dst, b.dtype, b.elements,
                                                                                       static_cast<float>(f.value));
      else
        ValueFillKernel<int64_t><<<Blocks(b.elements, ctx_), kThreads, 0, ctx_.stream>>>(
            dst, b.dtype, b.elements, static_cast<int64_t>(f.value));
    } else {
      RandomFillKernel<<<Blocks(b.elements, ctx_), kThreads, 0, ctx_.stream>>>(
          dst, b.dtype, b.elements, InputSeed(seed, f.tensor), f.index_lo, f.index_hi);
    }
    CFP_CUDA_TRY(cudaGetLastError());
  }
  return Status::Ok();
}

Status DeviceProgram::Gemm(const GemmStep &g) {
  const auto compute = ComputeTypeFor(g, ctx_.allow_tf32);
  if (!compute) {
    const unsigned blocks = Blocks(g.batch * g.m * g.n, ctx_);
    if (IsFloatDType(g.out_dtype))
      GenericGemmKernel<float><<<blocks, kThreads, 0, ctx_.stream>>>(g, ptr(g.out), ptr(g.lhs), ptr(g.rhs));
    else
      GenericGemmKernel<int64_t><<<blocks, kThreads, 0, ctx_.stream>>>(g, ptr(g.out), ptr(g.lhs), ptr(g.rhs));
    return FromCuda(cudaGetLastError(), "generic GEMM kernel");
  }
  // Row-major out[m, n] = lhs[m, k] rhs[k, n] is column-major out^T[n, m] =
  // rhs^T[n, k] lhs^T[k, m]: cuBLAS's A is our rhs and its B our lhs. A row-major
  // [rows, cols] buffer read column-major with ld = cols is its transpose, so an operand
  // already stored the other way round only needs the opposite op.
  const cublasOperation_t op_a = g.rhs_nk ? CUBLAS_OP_T : CUBLAS_OP_N;
  const int64_t lda = g.rhs_nk ? g.k : g.n;
  const cublasOperation_t op_b = g.lhs_km ? CUBLAS_OP_T : CUBLAS_OP_N;
  const int64_t ldb = g.lhs_km ? g.m : g.k;
  const float alpha = 1.0f, beta = 0.0f;
  return FromCublas(cublasGemmStridedBatchedEx_64(ctx_.cublas, op_a, op_b, g.n, g.m, g.k, &alpha, ptr(g.rhs),
                                                  *CudaType(g.rhs_dtype), lda, g.k * g.n, ptr(g.lhs),
                                                  *CudaType(g.lhs_dtype), ldb, g.m * g.k, &beta, ptr(g.out),
                                                  *CudaType(g.out_dtype), g.n, g.m * g.n, g.batch, *compute,
                                                  CUBLAS_GEMM_DEFAULT),
                    "cublasGemmStridedBatchedEx_64");
}

Status DeviceProgram::Enqueue() {
  for (const KernelStep &ks : plan_.steps) {
    if (const auto *m = std::get_if<MapStep>(&ks.step)) {
      if (m->count == 0) continue;
      const void *in[3] = {nullptr, nullptr, nullptr};
      for (int j = 0; j < m->num_inputs; ++j) in[j] = ptr(m->in[j].buffer);
      if (m->compute == ComputeType::Float)
        MapKernel<float><<<Blocks(m->count, ctx_), kThreads, 0, ctx_.stream>>>(*m, ptr(m->out.buffer), in[0], in[1], in[2]);
      else
        MapKernel<int64_t><<<Blocks(m->count, ctx_), kThreads, 0, ctx_.stream>>>(*m, ptr(m->out.buffer), in[0], in[1],
                                                                                 in[2]);
    } else if (const auto *r = std::get_if<ReduceStep>(&ks.step)) {
      // Long reductions get a block per output, short ones a thread per output.
      const bool per_block = r->red_count >= 64;
      const unsigned blocks = per_block ? static_cast<unsigned>(std::min<int64_t>(r->out_count, int64_t{1} << 20))
                                        : Blocks(r->out_count, ctx_);
      if (r->compute == ComputeType::Float) {
        if (per_block) ReduceBlocksKernel<float><<<blocks, kThreads, 0, ctx_.stream>>>(*r, ptr(r->in.buffer), ptr(r->out.buffer));
        else ReduceRowsKernel<float><<<blocks, kThreads, 0, ctx_.stream>>>(*r, ptr(r->in.buffer), ptr(r->out.buffer));
      } else {
        if (per_block) ReduceBlocksKernel<int64_t><<<blocks, kThreads, 0, ctx_.stream>>>(*r, ptr(r->in.buffer), ptr(r->out.buffer));
        else ReduceRowsKernel<int64_t><<<blocks, kThreads, 0, ctx_.stream>>>(*r, ptr(r->in.buffer), ptr(r->out.buffer));
      }
    } else if (const auto *g = std::get_if<GatherStep>(&ks.step)) {
      GatherKernel<<<Blocks(g->num_ids * g->row_len, ctx_), kThreads, 0, ctx_.stream>>>(*g, ptr(g->out), ptr(g->table),
                                                                                        ptr(g->ids));
    } else if (const auto *s = std::get_if<ScatterAddStep>(&ks.step)) {
      ScatterAddKernel<<<Blocks(s->num_ids * s->row_len, ctx_), kThreads, 0, ctx_.stream>>>(*s, ptr(s->out), ptr(s->ids),
                                                                                            ptr(s->updates));
    } else if (const auto *gm = std::get_if<GemmStep>(&ks.step)) {
      CFP_RETURN_IF_ERROR(Gemm(*gm));
    }
    CFP_CUDA_TRY(cudaGetLastError());
  }
  return Status::Ok();
}

Result<double> DeviceProgram::Time(uint32_t warmup, uint32_t repeats) {
  CFP_CUDA_TRY(cudaSetDevice(ctx_.device));
  cudaEvent_t start = nullptr, stop = nullptr;
  CFP_CUDA_TRY(cudaEventCreate(&start));
  Status created = FromCuda(cudaEventCreate(&stop), "cudaEventCreate");
  if (!created.ok()) {
    cudaEventDestroy(start);
    return created;
  }
  auto timed = [&](uint32_t runs) -> Result<double> {
    CFP_CUDA_TRY(cudaEventRecord(start, ctx_.stream));
    for (uint32_t i = 0; i < runs; ++i) CFP_RETURN_IF_ERROR(Enqueue());
    CFP_CUDA_TRY(cudaEventRecord(stop, ctx_.stream));
    CFP_CUDA_TRY(cudaEventSynchronize(stop));
    float ms = 0;
    CFP_CUDA_TRY(cudaEventElapsedTime(&ms, start, stop));
    return ms * 1e-3 / runs;
  };
  auto measure = [&]() -> Result<double> {
    for (uint32_t i = 0; i < warmup; ++i) CFP_RETURN_IF_ERROR(Enqueue());
    CFP_CUDA_TRY(cudaStreamSynchronize(ctx_.stream));
    // Events resolve about half a microsecond: programs shorter than 100 us run back to
    // back inside each timing so the median is not made of rounding.
    CFP_ASSIGN_OR_RETURN(double first, timed(1));
    const uint32_t inner = first >= 1e-4 ? 1 : static_cast<uint32_t>(std::min(100.0, std::ceil(1e-4 / std::max(first, 1e-7))));
    std::vector<double> samples;
    for (uint32_t r = 0; r < repeats; ++r) {
      CFP_ASSIGN_OR_RETURN(double t, timed(inner));
      samples.push_back(t);
    }
    std::sort(samples.begin(), samples.end());
    return samples[samples.size() / 2];
  };
  Result<double> result = measure();
  cudaEventDestroy(start);
  cudaEventDestroy(stop);
  return result;
}

Result<std::vector<double>> DeviceProgram::Download(int32_t b) {
  CFP_CUDA_TRY(cudaSetDevice(ctx_.device));
  const KernelBuffer &kb = plan_.buffers[static_cast<size_t>(b)];
  std::vector<uint8_t> host(static_cast<size_t>(kb.elements) * static_cast<size_t>(DTypeBytes(kb.dtype)));
  CFP_CUDA_TRY(cudaStreamSynchronize(ctx_.stream));
  if (!host.empty()) CFP_CUDA_TRY(cudaMemcpy(host.data(), ptr(b), host.size(), cudaMemcpyDeviceToHost));
  std::vector<double> v(static_cast<size_t>(kb.elements));
  for (int64_t i = 0; i < kb.elements; ++i)
    v[static_cast<size_t>(i)] = IsFloatDType(kb.dtype) ? LoadAs<float>(host.data(), kb.dtype, i)
                                                       : static_cast<double>(LoadAs<int64_t>(host.data(), kb.dtype, i));
  return v;
}

}  // namespace cfp::cuda
