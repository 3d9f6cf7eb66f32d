/*
 * The C ABI between libcfp and its CUDA profiler module, libcfp_cuda.so (docs/design.md §7, docs/profiling.md).
 *
 * libcfp never links CUDA or NCCL: it dlopens the module and resolves these functions with
 * dlsym. Only plain C types cross: programs travel as verified FlatBuffers graph buffers
 * (flatbuffers/graph.fbs), errors as a cfp_status code plus a message written into a
 * caller buffer. No C++ exception crosses. Any change to a signature or to the meaning of
 * an argument bumps CFP_CUDA_PLUGIN_ABI_VERSION; both sides check it.
 *
 * Thread safety: one session is used by one thread at a time; distinct sessions may be
 * used from different threads.
 */
#ifndef CFP_CUDA_PLUGIN_ABI_H
#define CFP_CUDA_PLUGIN_ABI_H

#include <stddef.h>
#include <stdint.h>

#include "cfp.h" /* cfp_status codes */

#ifdef __cplusplus
extern "C" {
#endif

#define CFP_CUDA_PLUGIN_ABI_VERSION 1u

#define CFP_CUDA_PLUGIN_EXPORT __attribute__((visibility("default")))

/** A profiling session: a CUDA device, its stream, cuBLAS handle and NCCL communicators. */
typedef struct cfp_cuda_session cfp_cuda_session;

/** Settings of a session; the meaning of each field is fixed by the ABI version. */
typedef struct cfp_cuda_session_config {
  int32_t device;      /* CUDA ordinal programs run on */
  uint32_t warmup;     /* untimed runs before timing */
  uint32_t repeats;    /* timed runs; the median is reported (>= 1) */
  uint64_t seed;       /* of the random inputs */
  int32_t allow_tf32;  /* non-zero: f32 GEMMs may use TF32 tensor cores */
} cfp_cuda_session_config;

/* The symbols the loader resolves, with their types. Every int return is a cfp_status
 * (0 = CFP_OK); on failure `error` (capacity `error_cap`, may be 0) receives a
 * NUL-terminated message. */

/** The module's CFP_CUDA_PLUGIN_ABI_VERSION. */
typedef uint32_t (*cfp_cuda_abi_version_fn)(void);
#define CFP_CUDA_SYM_ABI_VERSION "cfp_cuda_abi_version"

/** Opens a session. `abi_version` is the caller's; the module refuses a mismatch.
 *  CFP_ERR_DEVICE when no driver or GPU is usable. */
typedef int (*cfp_cuda_session_open_fn)(uint32_t abi_version, const cfp_cuda_session_config *config,
                                        cfp_cuda_session **out, char *error, size_t error_cap);
#define CFP_CUDA_SYM_SESSION_OPEN "cfp_cuda_session_open"

/** Closes a session. NULL-safe. */
typedef void (*cfp_cuda_session_close_fn)(cfp_cuda_session *session);
#define CFP_CUDA_SYM_SESSION_CLOSE "cfp_cuda_session_close"

/** Device name, number of visible devices and the version string of the measuring
 *  software, written NUL-terminated into the buffers (truncated to their capacity). */
typedef int (*cfp_cuda_session_describe_fn)(const cfp_cuda_session *session, char *device_name, size_t name_cap,
                                            int32_t *visible_devices, char *library_version, size_t version_cap);
#define CFP_CUDA_SYM_SESSION_DESCRIBE "cfp_cuda_session_describe"

/** Median seconds of one run of the graph in `graph` (a graph.fbs buffer). */
typedef int (*cfp_cuda_time_program_fn)(cfp_cuda_session *session, const void *graph, size_t graph_size,
                                        double *seconds, char *error, size_t error_cap);
#define CFP_CUDA_SYM_TIME_PROGRAM "cfp_cuda_time_program"

/** Median seconds of one collective (cfp_collective_kind `kind`) over the first `group`
 *  devices with `bytes` per device. CFP_ERR_UNSUPPORTED when fewer are visible. */
typedef int (*cfp_cuda_time_collective_fn)(cfp_cuda_session *session, int32_t kind, uint64_t bytes, int32_t group,
                                           double *seconds, char *error, size_t error_cap);
#define CFP_CUDA_SYM_TIME_COLLECTIVE "cfp_cuda_time_collective"

/**
 * Runs the graph once. Graph input `input_tensors[i]` takes the `input_sizes[i]` values
 * at `input_values[i]` (one per element, row major; the size must equal the element
 * count); other inputs are generated. The value of every tensor, in tensor-id order and
 * each row major, is written to `values`, which holds `value_cap` doubles (the sum of all
 * tensors' element counts).
 */
typedef int (*cfp_cuda_evaluate_fn)(cfp_cuda_session *session, const void *graph, size_t graph_size,
                                    size_t input_count, const uint32_t *input_tensors, const double *const *input_values,
                                    const uint64_t *input_sizes, double *values, uint64_t value_cap, char *error,
                                    size_t error_cap);
#define CFP_CUDA_SYM_EVALUATE "cfp_cuda_evaluate"

#ifdef __cplusplus
}
#endif

#endif /* CFP_CUDA_PLUGIN_ABI_H */
