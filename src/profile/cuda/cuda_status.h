// CUDA runtime, cuBLAS and NCCL results as Status values, so the module's code reads like
// the rest of libcfp and every failure says which call failed and why.
#pragma once

#include <cublas_v2.h>
#include <cuda_runtime_api.h>
#include <nccl.h>

#include <string>

#include "util/status.h"

namespace cfp::cuda {

inline Status FromCuda(cudaError_t e, const char *what) {
  if (e == cudaSuccess) return Status::Ok();
  Code code = Code::kInternal;
  switch (e) {
    case cudaErrorMemoryAllocation: code = Code::kOutOfMemory; break;
    case cudaErrorNoDevice:
    case cudaErrorInsufficientDriver:
    case cudaErrorInvalidDevice:
    case cudaErrorDevicesUnavailable:
    case cudaErrorSystemNotReady:
    case cudaErrorSystemDriverMismatch:
    case cudaErrorCompatNotSupportedOnDevice:
    case cudaErrorNoKernelImageForDevice:
    case cudaErrorUnsupportedPtxVersion: code = Code::kDevice; break;
    default: break;
  }
  return Status(code, std::string(what) + ": " + cudaGetErrorName(e) + " (" + cudaGetErrorString(e) + ")");
}

inline Status FromCublas(cublasStatus_t s, const char *what) {
  if (s == CUBLAS_STATUS_SUCCESS) return Status::Ok();
  Code code = s == CUBLAS_STATUS_ALLOC_FAILED ? Code::kOutOfMemory
              : s == CUBLAS_STATUS_NOT_SUPPORTED || s == CUBLAS_STATUS_ARCH_MISMATCH ? Code::kUnsupported
                                                                                        : Code::kInternal;
  return Status(code, std::string(what) + ": " + cublasGetStatusName(s) + " (" + cublasGetStatusString(s) + ")");
}

inline Status FromNccl(ncclResult_t r, const char *what) {
  if (r == ncclSuccess) return Status::Ok();
  return Status(r == ncclSystemError || r == ncclUnhandledCudaError ? Code::kDevice : Code::kInternal,
                std::string(what) + ": " + ncclGetErrorString(r));
}

}  // namespace cfp::cuda

#define CFP_CUDA_TRY(call) CFP_RETURN_IF_ERROR(::cfp::cuda::FromCuda((call), #call))
#define CFP_CUBLAS_TRY(call) CFP_RETURN_IF_ERROR(::cfp::cuda::FromCublas((call), #call))
#define CFP_NCCL_TRY(call) CFP_RETURN_IF_ERROR(::cfp::cuda::FromNccl((call), #call))
