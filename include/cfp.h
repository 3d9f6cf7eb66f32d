/*
 * libcfp — intra-operator parallelism plans for large-model training.
 *
 * The whole stable C API. Conventions (in full in docs/api.md):
 *  - Every fallible function returns a cfp_status; CFP_OK is 0. On failure a message is
 *    available from cfp_last_error_message() on the same thread, and out-parameters are set
 *    to NULL / 0 unless the function says otherwise.
 *  - Handles are opaque. cfp_x_destroy(NULL) is a no-op.
 *  - Input buffers and strings are borrowed for the duration of the call only.
 *  - Memory returned through `const char **` / cfp_bytes is owned by the library object it
 *    came from and stays valid until that object is destroyed. Nothing is to be free()d.
 *  - Different handles may be used from different threads at once; one handle is not
 *    thread-safe unless a function says so. Functions taking only `const` handles may be
 *    called concurrently on the same handle.
 *  - No C++ exception ever crosses this boundary.
 */
#ifndef CFP_H
#define CFP_H

#include <stddef.h>
#include <stdint.h>

#ifdef SWIG
#define CFP_API
#elif defined(_WIN32)
#ifdef CFP_BUILDING_LIBRARY
#define CFP_API __declspec(dllexport)
#else
#define CFP_API __declspec(dllimport)
#endif
#else
#define CFP_API __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------------------ */
/* Version                                                                              */
/* ------------------------------------------------------------------------------------ */

#define CFP_VERSION_MAJOR 0
#define CFP_VERSION_MINOR 1
#define CFP_VERSION_PATCH 0
#define CFP_VERSION_NUMBER (CFP_VERSION_MAJOR * 100 * 100 + CFP_VERSION_MINOR * 100 + CFP_VERSION_PATCH)

/** Version of the loaded library as MAJOR*10000 + MINOR*100 + PATCH. Thread-safe. */
CFP_API unsigned cfp_version_number(void);
/** Version of the loaded library, e.g. "0.1.0". Static string. Thread-safe. */
CFP_API const char *cfp_version_string(void);

/* ------------------------------------------------------------------------------------ */
/* Status and errors                                                                    */
/* ------------------------------------------------------------------------------------ */

/** Status codes. Codes are only ever added, never renumbered. */
typedef enum cfp_status {
  CFP_OK = 0,
  CFP_ERR_INVALID_ARGUMENT = 1, /**< a NULL pointer, bad enum value, malformed string, ... */
  CFP_ERR_INVALID_GRAPH = 2,    /**< a graph buffer or builder input that fails verification */
  CFP_ERR_INVALID_DATA = 3,     /**< a plan or profile buffer that fails verification */
  CFP_ERR_IO = 4,               /**< a file could not be read or written */
  CFP_ERR_OUT_OF_MEMORY = 5,
  CFP_ERR_OUT_OF_RANGE = 6,     /**< an index past the end of a collection */
  CFP_ERR_BUFFER_TOO_SMALL = 7, /**< a caller buffer cannot hold the answer */
  CFP_ERR_INFEASIBLE = 8,       /**< no plan fits the memory budget */
  CFP_ERR_UNSUPPORTED = 9,      /**< a feature this build or platform lacks */
  CFP_ERR_DEVICE = 10,          /**< no usable GPU / driver for the requested cost model */
  CFP_ERR_TIME_LIMIT = 11,      /**< the search hit its time limit */
  CFP_ERR_MEMORY_LIMIT = 12,    /**< the search hit its memory limit */
  CFP_ERR_CANCELLED = 13,       /**< the progress callback asked to stop */
  CFP_ERR_INTERNAL = 14         /**< a bug in libcfp; please report it with the message */
} cfp_status;

/** Name of a status code, e.g. "CFP_ERR_INVALID_GRAPH". Static string; unknown codes give
 *  "CFP_ERR_UNKNOWN". Thread-safe. */
CFP_API const char *cfp_status_string(cfp_status status);

/** Message describing the last failure on the calling thread ("" if none). Owned by the
 *  library; valid until the next cfp_ call on this thread, so copy it at once. */
CFP_API const char *cfp_last_error_message(void);

/* ------------------------------------------------------------------------------------ */
/* Byte buffers returned by the library                                                 */
/* ------------------------------------------------------------------------------------ */

typedef struct cfp_bytes cfp_bytes;

/** Pointer to the bytes (NULL for a NULL handle). Owned by `bytes`. */
CFP_API const void *cfp_bytes_data(const cfp_bytes *bytes);
/** Number of bytes (0 for a NULL handle). */
CFP_API size_t cfp_bytes_size(const cfp_bytes *bytes);
/** Frees the buffer. NULL-safe. */
CFP_API void cfp_bytes_destroy(cfp_bytes *bytes);

/* ------------------------------------------------------------------------------------ */
/* Graph vocabulary                                                                     */
/* ------------------------------------------------------------------------------------ */

typedef enum cfp_dtype {
  CFP_F32 = 0,
  CFP_BF16 = 1,
  CFP_F16 = 2,
  CFP_F8E4M3 = 3,
  CFP_I32 = 4,
  CFP_I64 = 5,
  CFP_BOOL = 6
} cfp_dtype;

typedef enum cfp_tensor_role {
  CFP_ROLE_DATA_INPUT = 0,
  CFP_ROLE_PARAMETER = 1,
  CFP_ROLE_OPTIMIZER_STATE = 2,
  CFP_ROLE_ACTIVATION = 3,
  CFP_ROLE_GRADIENT = 4,
  CFP_ROLE_CONSTANT = 5
} cfp_tensor_role;

typedef enum cfp_phase { CFP_PHASE_FORWARD = 0, CFP_PHASE_BACKWARD = 1, CFP_PHASE_UPDATE = 2 } cfp_phase;

/**
 * Operator kinds, at XLA-HLO granularity. Shapes are given by the tensors; the attributes
 * each kind reads are listed (set with cfp_graph_builder_set_op_ints / _double).
 *
 * Elementwise (all operands have the output's rank, each dim equal to the output's or 1,
 * or are rank 0): unary ABS..COPY (CONVERT changes the dtype), binary ADD..POWER,
 * COMPARE (CFP_ATTR_COMPARISON; bool result), SELECT (pred, on_true, on_false).
 * BROADCAST: CFP_ATTR_DIMS[i] = output dim of operand dim i.
 * RESHAPE: same element count. TRANSPOSE: output dim i = operand dim CFP_ATTR_DIMS[i].
 * SLICE: CFP_ATTR_STARTS, CFP_ATTR_LIMITS (stride 1). PAD: CFP_ATTR_PAD_LOW / _HIGH,
 * CFP_ATTR_PAD_VALUE. CONCATENATE: CFP_ATTR_AXIS. IOTA: no inputs, values count along
 * CFP_ATTR_AXIS.
 * REDUCE_*: CFP_ATTR_DIMS = reduced dims (removed from the shape).
 * DOT: dot_general; CFP_ATTR_LHS_BATCH/RHS_BATCH/LHS_CONTRACT/RHS_CONTRACT; output dims
 * are batch dims, then lhs free dims, then rhs free dims, each in operand order.
 * GATHER: (table, indices) -> indices.shape + table.shape without dim 0 (embedding lookup).
 * SCATTER_ADD: (indices, updates) -> output of table shape; rows summed at indices.
 * CUSTOM: needs an explicit iteration space (cfp_graph_builder_set_op_einsum); FLOPs are
 * CFP_ATTR_FLOPS_PER_POINT per iteration-space point.
 */
typedef enum cfp_op_kind {
  CFP_OP_ABS = 0, CFP_OP_NEG = 1, CFP_OP_EXP = 2, CFP_OP_LOG = 3, CFP_OP_SQRT = 4,
  CFP_OP_RSQRT = 5, CFP_OP_TANH = 6, CFP_OP_LOGISTIC = 7, CFP_OP_SIN = 8, CFP_OP_COS = 9,
  CFP_OP_CONVERT = 10, CFP_OP_COPY = 11,
  CFP_OP_ADD = 20, CFP_OP_SUBTRACT = 21, CFP_OP_MULTIPLY = 22, CFP_OP_DIVIDE = 23,
  CFP_OP_MAXIMUM = 24, CFP_OP_MINIMUM = 25, CFP_OP_POWER = 26, CFP_OP_COMPARE = 27,
  CFP_OP_SELECT = 28,
  CFP_OP_BROADCAST = 40, CFP_OP_RESHAPE = 41, CFP_OP_TRANSPOSE = 42, CFP_OP_SLICE = 43,
  CFP_OP_PAD = 44, CFP_OP_CONCATENATE = 45, CFP_OP_IOTA = 46,
  CFP_OP_REDUCE_SUM = 60, CFP_OP_REDUCE_MAX = 61, CFP_OP_REDUCE_MIN = 62,
  CFP_OP_DOT = 80,
  CFP_OP_GATHER = 100, CFP_OP_SCATTER_ADD = 101,
  CFP_OP_CUSTOM = 200
} cfp_op_kind;

/** Operator attribute keys. */
typedef enum cfp_attr {
  CFP_ATTR_DIMS = 0,
  CFP_ATTR_LHS_BATCH = 1,
  CFP_ATTR_RHS_BATCH = 2,
  CFP_ATTR_LHS_CONTRACT = 3,
  CFP_ATTR_RHS_CONTRACT = 4,
  CFP_ATTR_STARTS = 5,
  CFP_ATTR_LIMITS = 6,
  CFP_ATTR_PAD_LOW = 7,
  CFP_ATTR_PAD_HIGH = 8,
  CFP_ATTR_AXIS = 9,            /**< integer attribute: use set_op_ints with one value */
  CFP_ATTR_COMPARISON = 10,     /**< integer attribute: a cfp_comparison */
  CFP_ATTR_PAD_VALUE = 11,      /**< double attribute */
  CFP_ATTR_FLOPS_PER_POINT = 12 /**< double attribute */
} cfp_attr;

typedef enum cfp_comparison {
  CFP_CMP_EQ = 0, CFP_CMP_NE = 1, CFP_CMP_LT = 2, CFP_CMP_LE = 3, CFP_CMP_GT = 4, CFP_CMP_GE = 5
} cfp_comparison;

/** Name of an operator kind, e.g. "dot". Static string ("unknown" for bad values). */
CFP_API const char *cfp_op_kind_name(cfp_op_kind kind);
/** Name of a dtype, e.g. "bf16". Static string ("unknown" for bad values). */
CFP_API const char *cfp_dtype_name(cfp_dtype dtype);
/** Name of a tensor role, e.g. "parameter". Static string ("unknown" for bad values). */
CFP_API const char *cfp_tensor_role_name(cfp_tensor_role role);

/* ------------------------------------------------------------------------------------ */
/* Graphs                                                                               */
/* ------------------------------------------------------------------------------------ */

/** An immutable, validated graph. Safe to share between threads once created. */
typedef struct cfp_graph cfp_graph;

/**
 * Loads a graph from a FlatBuffers buffer (schema flatbuffers/graph.fbs, identifier "CFPG").
 * The buffer is verified, then the graph is validated (ids, acyclicity, shapes and dtypes
 * against each operator's semantics). `data` is borrowed for the call only.
 * @return CFP_ERR_INVALID_GRAPH with a message naming the op/tensor at fault.
 */
CFP_API cfp_status cfp_graph_from_buffer(const void *data, size_t size, cfp_graph **out);
/** Loads a graph file written by cfp_graph_to_file or the `cfp` tool. CFP_ERR_IO if unreadable. */
CFP_API cfp_status cfp_graph_from_file(const char *path, cfp_graph **out);
/** Serializes the graph as a FlatBuffers buffer. The caller owns *out (cfp_bytes_destroy). */
CFP_API cfp_status cfp_graph_to_buffer(const cfp_graph *graph, cfp_bytes **out);
/** Writes the graph to a file atomically (temporary file + rename). */
CFP_API cfp_status cfp_graph_to_file(const cfp_graph *graph, const char *path);
/** Frees the graph. NULL-safe. */
CFP_API void cfp_graph_destroy(cfp_graph *graph);

/** Name of the graph. Owned by the graph. */
CFP_API cfp_status cfp_graph_name(const cfp_graph *graph, const char **out);
CFP_API cfp_status cfp_graph_op_count(const cfp_graph *graph, uint32_t *out);
CFP_API cfp_status cfp_graph_tensor_count(const cfp_graph *graph, uint32_t *out);
/** Name of an operator. Owned by the graph. CFP_ERR_OUT_OF_RANGE for a bad id. */
CFP_API cfp_status cfp_graph_op_name(const cfp_graph *graph, uint32_t op, const char **out);
CFP_API cfp_status cfp_graph_op_kind(const cfp_graph *graph, uint32_t op, cfp_op_kind *out);
/** Scope of an operator ("" if none), e.g. "layers.3.mlp". Owned by the graph. */
CFP_API cfp_status cfp_graph_op_scope(const cfp_graph *graph, uint32_t op, const char **out);
/** Phase of an operator (forward, backward or optimizer update). */
CFP_API cfp_status cfp_graph_op_phase(const cfp_graph *graph, uint32_t op, cfp_phase *out);
/** Number of inputs of an operator. */
CFP_API cfp_status cfp_graph_op_input_count(const cfp_graph *graph, uint32_t op, uint32_t *out);
/** Tensor id of input `index` of an operator. */
CFP_API cfp_status cfp_graph_op_input(const cfp_graph *graph, uint32_t op, uint32_t index, uint32_t *out);
/** Number of outputs of an operator. */
CFP_API cfp_status cfp_graph_op_output_count(const cfp_graph *graph, uint32_t op, uint32_t *out);
/** Tensor id of output `index` of an operator. */
CFP_API cfp_status cfp_graph_op_output(const cfp_graph *graph, uint32_t op, uint32_t index, uint32_t *out);
/** The forward op that backward op `op` differentiates (the hint cfp_graph_make_training
 *  or cfp_graph_builder_set_op_grad_of records), or CFP_NO_OP if it has none. */
CFP_API cfp_status cfp_graph_op_grad_of(const cfp_graph *graph, uint32_t op, uint32_t *out);

/** Returned by cfp_graph_tensor_producer for graph inputs. */
#define CFP_NO_OP 0xFFFFFFFFu
/** The op producing a tensor, or CFP_NO_OP for a graph input. */
CFP_API cfp_status cfp_graph_tensor_producer(const cfp_graph *graph, uint32_t tensor, uint32_t *out);
/** Returned by cfp_graph_tensor_gradient_of and cfp_graph_tensor_updates for a tensor
 *  without that link. */
#define CFP_NO_TENSOR 0xFFFFFFFFu
/** The forward tensor `tensor` is the gradient of (the hint cfp_graph_make_training or
 *  cfp_graph_builder_set_tensor_gradient_of records), or CFP_NO_TENSOR if it has none. */
CFP_API cfp_status cfp_graph_tensor_gradient_of(const cfp_graph *graph, uint32_t tensor, uint32_t *out);
/** The tensor that `tensor` replaces in the next step: the parameter or optimizer state an
 *  update op recomputes (same shape and dtype), or CFP_NO_TENSOR if it replaces none. */
CFP_API cfp_status cfp_graph_tensor_updates(const cfp_graph *graph, uint32_t tensor, uint32_t *out);
/** Name of a tensor. Owned by the graph. */
CFP_API cfp_status cfp_graph_tensor_name(const cfp_graph *graph, uint32_t tensor, const char **out);
CFP_API cfp_status cfp_graph_tensor_dtype(const cfp_graph *graph, uint32_t tensor, cfp_dtype *out);
CFP_API cfp_status cfp_graph_tensor_role(const cfp_graph *graph, uint32_t tensor, cfp_tensor_role *out);
/** Rank of a tensor. */
CFP_API cfp_status cfp_graph_tensor_rank(const cfp_graph *graph, uint32_t tensor, uint32_t *out);
/** Size of dimension `dim` of a tensor. */
CFP_API cfp_status cfp_graph_tensor_dim(const cfp_graph *graph, uint32_t tensor, uint32_t dim, int64_t *out);
/** Number of elements in all tensors of role CFP_ROLE_PARAMETER. */
CFP_API cfp_status cfp_graph_parameter_count(const cfp_graph *graph, uint64_t *out);
/** Floating-point operations of one execution of the graph (multiply-add = 2). */
CFP_API cfp_status cfp_graph_flops(const cfp_graph *graph, double *out);

/*
 * Iteration spaces. Every operator is a loop nest over its own axes, numbered from 0; each
 * axis has a size and is parallel (it indexes the outputs) or a reduction (summed over).
 * Each dim of each operand is made of a list of axes, outermost first: usually one, several
 * where a reshape merges axes, none for a size-1 dim broadcast against a larger one.
 * Operands are numbered inputs first, then outputs: operand i is input i for
 * i < cfp_graph_op_input_count, output i - input count after that. A strategy assigns mesh
 * axes to these axes (cfp_op_strategy_describe's "a0<-[0]" splits axis 0 over mesh axis 0,
 * and its einsum labels axes a, b, c, ... by id), so the layout of every operand under a
 * strategy follows from these accessors. Like every graph query they read an immutable
 * graph and may be called concurrently; CFP_ERR_OUT_OF_RANGE names a bad op, axis,
 * operand, dim or index.
 */
/** Number of axes of the iteration space of `op`. */
CFP_API cfp_status cfp_graph_op_axis_count(const cfp_graph *graph, uint32_t op, uint32_t *out);
/** Size of axis `axis` of `op` (>= 1). */
CFP_API cfp_status cfp_graph_op_axis_size(const cfp_graph *graph, uint32_t op, uint32_t axis, int64_t *out);
/** 1 if axis `axis` of `op` is a reduction axis (in no output), 0 if it is parallel. */
CFP_API cfp_status cfp_graph_op_axis_is_reduction(const cfp_graph *graph, uint32_t op, uint32_t axis, int *out);
/** 1 if axis `axis` of `op` may be split across devices, 0 if no strategy splits it (the
 *  sliced or padded dim of a slice or pad, a concatenated dim, a reshape group without a
 *  common refinement). */
CFP_API cfp_status cfp_graph_op_axis_splittable(const cfp_graph *graph, uint32_t op, uint32_t axis, int *out);
/** Number of axes dim `dim` of operand `operand` of `op` is made of (0 for a broadcast
 *  size-1 dim). The operand's rank is its tensor's rank. */
CFP_API cfp_status cfp_graph_op_operand_dim_axis_count(const cfp_graph *graph, uint32_t op, uint32_t operand,
                                                       uint32_t dim, uint32_t *out);
/** Axis `index` (outermost first) of dim `dim` of operand `operand` of `op`. */
CFP_API cfp_status cfp_graph_op_operand_dim_axis(const cfp_graph *graph, uint32_t op, uint32_t operand, uint32_t dim,
                                                 uint32_t index, uint32_t *out);

/* ------------------------------------------------------------------------------------ */
/* Graph builder: construct graphs without a FlatBuffers runtime                        */
/* ------------------------------------------------------------------------------------ */

/** A mutable graph under construction. Not thread-safe. */
typedef struct cfp_graph_builder cfp_graph_builder;

/** Creates an empty builder. `name` may be NULL. */
CFP_API cfp_status cfp_graph_builder_create(const char *name, cfp_graph_builder **out);
/** Frees the builder. NULL-safe. Graphs it finished stay valid. */
CFP_API void cfp_graph_builder_destroy(cfp_graph_builder *builder);

/** Adds a tensor; its id (dense, from 0) is written to *out_id. `shape` may be NULL when
 *  rank is 0. Dims are checked when the graph is finished. */
CFP_API cfp_status cfp_graph_builder_add_tensor(cfp_graph_builder *builder, const char *name,
                                                cfp_dtype dtype, const int64_t *shape, size_t rank,
                                                cfp_tensor_role role, uint32_t *out_id);
/** Marks `tensor` as the gradient of `of` (a hint the optimizer may use). */
CFP_API cfp_status cfp_graph_builder_set_tensor_gradient_of(cfp_graph_builder *builder, uint32_t tensor,
                                                            uint32_t of);
/** Marks `tensor` as the next-step value of parameter or optimizer state `replaces`. */
CFP_API cfp_status cfp_graph_builder_set_tensor_updates(cfp_graph_builder *builder, uint32_t tensor,
                                                        uint32_t replaces);
/** Value of a rank-0 constant tensor. */
CFP_API cfp_status cfp_graph_builder_set_tensor_value(cfp_graph_builder *builder, uint32_t tensor,
                                                      double value);

/** Adds an operator reading `inputs` and producing `outputs` (tensor ids; each tensor is
 *  produced by at most one op). Its id is written to *out_id. Arrays may be NULL when
 *  their count is 0. Semantics are checked when the graph is finished. */
CFP_API cfp_status cfp_graph_builder_add_op(cfp_graph_builder *builder, const char *name, cfp_op_kind kind,
                                            const uint32_t *inputs, size_t input_count,
                                            const uint32_t *outputs, size_t output_count,
                                            uint32_t *out_id);
/** Sets an integer-list attribute (CFP_ATTR_AXIS / CFP_ATTR_COMPARISON take one value). */
CFP_API cfp_status cfp_graph_builder_set_op_ints(cfp_graph_builder *builder, uint32_t op, cfp_attr attr,
                                                 const int64_t *values, size_t count);
/** Sets a double attribute (CFP_ATTR_PAD_VALUE, CFP_ATTR_FLOPS_PER_POINT). */
CFP_API cfp_status cfp_graph_builder_set_op_double(cfp_graph_builder *builder, uint32_t op, cfp_attr attr,
                                                   double value);
/** Scope for reports, e.g. "layers.3.attn". */
CFP_API cfp_status cfp_graph_builder_set_op_scope(cfp_graph_builder *builder, uint32_t op, const char *scope);
CFP_API cfp_status cfp_graph_builder_set_op_phase(cfp_graph_builder *builder, uint32_t op, cfp_phase phase);
/** Gradient hint: `op` is part of the derivative of forward op `forward_op`. */
CFP_API cfp_status cfp_graph_builder_set_op_grad_of(cfp_graph_builder *builder, uint32_t op,
                                                    uint32_t forward_op);
/**
 * States an operator's iteration space in einsum notation: one label per axis, operands
 * separated by ',', inputs and outputs by "->", a dim made of several axes in parentheses
 * (outermost first), e.g. "bsh,hf->bsf" or "b(hd)->bhd". Labels on the output side are
 * parallel, the others reduction; sizes come from the shapes. Required for CFP_OP_CUSTOM.
 */
CFP_API cfp_status cfp_graph_builder_set_op_einsum(cfp_graph_builder *builder, uint32_t op, const char *spec);

/** Validates and returns the graph. The builder stays usable. */
CFP_API cfp_status cfp_graph_builder_finish(const cfp_graph_builder *builder, cfp_graph **out);

/* ------------------------------------------------------------------------------------ */
/* Model zoo and the training transform                                                 */
/* ------------------------------------------------------------------------------------ */

/**
 * Builds a training-step graph from a spec: a preset name ("gpt3-175b", "llama2-7b", ...)
 * or "family:key=value,..." with family mlp | gpt | llama | moe and keys layers, hidden,
 * heads, kv_heads, ffn, seq, batch, vocab, experts, top_k, group, dtype, tied,
 * rope_theta, optimizer (adam | sgd | none for the forward graph only); see
 * docs/models.md. A preset may be followed by overrides: "gpt3-175b:batch=8".
 * CFP_ERR_INVALID_ARGUMENT names a bad key or value.
 */
CFP_API cfp_status cfp_model_build(const char *spec, cfp_graph **out);
/** Number of model presets. */
CFP_API cfp_status cfp_model_preset_count(uint32_t *out);
/** Name of preset `index`. Static string. */
CFP_API cfp_status cfp_model_preset_name(uint32_t index, const char **out);

/**
 * Derives the training step of a forward graph: reverse-mode gradients of every parameter
 * with respect to the graph's scalar loss (its last op's single output), and the update
 * of `optimizer` ("adam" | "sgd"). Gradient hints link every backward op to its forward op
 * and every gradient tensor to its forward tensor; update ops mark the tensors they replace.
 */
CFP_API cfp_status cfp_graph_make_training(const cfp_graph *forward, const char *optimizer, cfp_graph **out);

/* ------------------------------------------------------------------------------------ */
/* Options                                                                              */
/* ------------------------------------------------------------------------------------ */

/** Optimizer options. Not thread-safe; may be shared read-only by concurrent optimize calls. */
typedef struct cfp_options cfp_options;

/** Creates options with defaults: mesh [8] of "h100-sxm", analytic costs, budget = device
 *  memory capacity, all hardware threads. */
CFP_API cfp_status cfp_options_create(cfp_options **out);
CFP_API void cfp_options_destroy(cfp_options *options);

/** Logical device mesh of 1 to 3 axes, e.g. {8, 8}. Resets axis links to the device
 *  preset's (NVLink inside a node, InfiniBand across; see set_devices_per_node). */
CFP_API cfp_status cfp_options_set_mesh(cfp_options *options, const uint32_t *shape, size_t ndims);
/** Bandwidth (bytes/s, > 0) and latency (s, >= 0) of collectives along mesh axis `axis`. */
CFP_API cfp_status cfp_options_set_axis_link(cfp_options *options, uint32_t axis, double bandwidth,
                                             double latency);
/** GPUs per node used to pick default axis links (default 8). */
CFP_API cfp_status cfp_options_set_devices_per_node(cfp_options *options, uint32_t devices);
/** Device preset: "a100-40gb", "a100-80gb", "h100-sxm", "h200". Resets device constants
 *  and axis links. */
CFP_API cfp_status cfp_options_set_device(cfp_options *options, const char *preset);
/** Peak dense FLOP/s of the device for arithmetic in `dtype`. */
CFP_API cfp_status cfp_options_set_device_peak_flops(cfp_options *options, cfp_dtype dtype, double flops);
/** Device memory bandwidth in bytes/s. */
CFP_API cfp_status cfp_options_set_device_memory_bandwidth(cfp_options *options, double bandwidth);
/** Device memory capacity in bytes. */
CFP_API cfp_status cfp_options_set_device_memory_capacity(cfp_options *options, uint64_t bytes);
/** Fixed cost per kernel launch in seconds. */
CFP_API cfp_status cfp_options_set_kernel_overhead(cfp_options *options, double seconds);
/** Per-device memory budget in bytes; 0 means the device's capacity. */
CFP_API cfp_status cfp_options_set_memory_budget(cfp_options *options, uint64_t bytes);
/** Multiplier on compute time (1 by default; 0 prices communication only). */
CFP_API cfp_status cfp_options_set_compute_scale(cfp_options *options, double scale);
/**
 * Micro-batches per step (default 1): the graph is one micro-batch; a step runs its forward
 * and backward work this many times, accumulating gradients, then the optimizer update and
 * the gradient reductions feeding it once. Step times and collective times are per step.
 */
CFP_API cfp_status cfp_options_set_microbatches(cfp_options *options, uint32_t microbatches);
/** Whether a contraction may run replicated along a mesh axis (default 1). */
CFP_API cfp_status cfp_options_set_allow_replicated_contractions(cfp_options *options, int allow);
/** Time charged per replicated parameter byte, a tie-breaker that prefers sharded
 *  parameters (default 0). */
CFP_API cfp_status cfp_options_set_replicated_parameter_penalty(cfp_options *options, double seconds_per_byte);
/**
 * Alpa's auto-sharding test convention (the unit costs of Alpa's tests), in four settings:
 *  - Links: Alpa prices a collective along mesh axis i as alpha_i + beta_i * volume and its
 *    tests set alpha = beta = 1; here that is latency = alpha = 1 s and bandwidth =
 *    1 / beta = 1 byte/s, on every axis of the mesh set so far (replacing links set
 *    before).
 *  - Compute is free: compute scale 0 (as cfp_options_set_compute_scale(options, 0)); the
 *    step time is communication only.
 *  - No replicated contractions (as cfp_options_set_allow_replicated_contractions(options,
 *    0)): a dot must split one of its axes along every mesh axis of size > 1.
 *  - A replicated-parameter penalty of 1e-9 s per byte (as
 *    cfp_options_set_replicated_parameter_penalty(options, 1e-9)), per byte of a
 *    parameter held beyond its fully sharded size: below one collective's 1 s latency
 *    while such bytes stay under 1e9, so it breaks ties between plans of equal
 *    communication towards sharded parameters. It counts in cfp_plan_objective, not in
 *    the step time.
 * A collective along one mesh axis of n devices, B bytes per device (the size the tensor
 * would have were it not split along that axis), then costs, in seconds:
 *   all-reduce 1 + 2(n-1)/n * B,  all-gather and reduce-scatter 1 + (n-1)/n * B,
 *   all-to-all 1 + (n-1)/n^2 * B,
 * the plain alpha-beta formulas libcfp uses under any links (alpha + volume / bandwidth):
 * all-to-all is NOT multiplied by the empirical penalty factor Alpa's cost model applies to
 * it, and no constant beyond alpha is added to any kind.
 * Order of calls: it sets the links of the axes the mesh has when it is called, so call
 * cfp_options_set_mesh first. A later cfp_options_set_mesh or cfp_options_set_device
 * resets every link to the device preset's (the other three settings stay); a later
 * cfp_options_set_axis_link replaces one axis's link; later calls of the three setters
 * named above replace their setting. Nothing else is changed (device, memory budget,
 * micro-batches, cost model).
 */
CFP_API cfp_status cfp_options_use_alpa_test_convention(cfp_options *options);
/** Cost model: "analytic" (default) or "cuda" (profiles on the local GPU). */
CFP_API cfp_status cfp_options_set_cost_model(cfp_options *options, const char *name);
/** Path of the persistent profile database used by the "cuda" cost model. Unset or "":
 *  $CFP_PROFILE_DB, else $XDG_CACHE_HOME/cfp/profile.cfpdb, else ~/.cache/cfp/profile.cfpdb. */
CFP_API cfp_status cfp_options_set_profile_db(cfp_options *options, const char *path);
/** Worker threads (0 = all hardware threads). The library runs oneTBB in its own arena. */
CFP_API cfp_status cfp_options_set_threads(cfp_options *options, uint32_t threads);
/** Wall-clock limit of planning in seconds (0 = none; a limit too far away for the clock,
 *  about 10^9 s or more, is none too). Every phase checks it (blocks, costs, edges,
 *  segments, search, budgeted search); measuring under the "cuda" cost model does not, the
 *  progress callback stops it. cfp_min_memory holds it as well. */
CFP_API cfp_status cfp_options_set_time_limit(cfp_options *options, double seconds);
/** Limit on the memory the search itself may use, in bytes (0 = none): its states, the
 *  states being formed and its tables, estimated and checked every few hundred states,
 *  under any memory budget. cfp_min_memory holds it as well. */
CFP_API cfp_status cfp_options_set_search_memory_limit(cfp_options *options, uint64_t bytes);

/**
 * Progress callback: called from the optimizing thread with a phase name, work done and
 * total work (total 0 when unknown), at the start and end of each phase and about every
 * 0.1 s within one. Phases of cfp_optimize: "calibrate" and "profile" (the "cuda" cost
 * model), "blocks", "costs" (unique blocks), "edges" (unique block pairs), "search".
 * Return non-zero to cancel (CFP_ERR_CANCELLED, no plan). Optional; bindings may skip it.
 */
typedef int (*cfp_progress_fn)(void *user_data, const char *phase, uint64_t done, uint64_t total);
/** Sets or clears (fn = NULL) the progress callback. */
CFP_API cfp_status cfp_options_set_progress_callback(cfp_options *options, cfp_progress_fn fn, void *user_data);

/* ------------------------------------------------------------------------------------ */
/* Optimizing and evaluating plans                                                      */
/* ------------------------------------------------------------------------------------ */

/** A finished plan. Immutable; safe to share between threads. */
typedef struct cfp_plan cfp_plan;

/**
 * Finds the plan of least predicted step time within the memory budget.
 * @return CFP_ERR_INFEASIBLE (message: the smallest memory any plan needs) when no plan fits;
 *         CFP_ERR_TIME_LIMIT / CFP_ERR_MEMORY_LIMIT when a limit was hit; then *out holds
 *         the best plan found so far if there is one (else NULL): when the limit strikes
 *         in the search, a narrow search's plan within the budget (bounded by a quarter
 *         of the time limit, at least 0.25 s), not proven optimal; before the search
 *         (blocks, costs, edges), none.
 */
CFP_API cfp_status cfp_optimize(const cfp_graph *graph, const cfp_options *options, cfp_plan **out);
/** Smallest per-device memory of any plan, in bytes. */
CFP_API cfp_status cfp_min_memory(const cfp_graph *graph, const cfp_options *options, uint64_t *out);
/** Number of strategies of operator `op` under the options' mesh. */
CFP_API cfp_status cfp_op_strategy_count(const cfp_graph *graph, const cfp_options *options, uint32_t op,
                                         uint32_t *out);
/** Human-readable form of strategy `index` of `op`, e.g. "a0<-[0] a2<-[1]", written
 *  NUL-terminated to `buf`; `needed` (may be NULL) receives the size including the NUL.
 *  CFP_ERR_BUFFER_TOO_SMALL if `cap` is too small. */
CFP_API cfp_status cfp_op_strategy_describe(const cfp_graph *graph, const cfp_options *options, uint32_t op,
                                            uint32_t index, char *buf, size_t cap, size_t *needed);
/**
 * Prices a per-operator choice (`choice_per_op[i]` indexes op i's strategies; `count` must
 * equal the op count) under the same cost model as cfp_optimize, ignoring the budget.
 */
CFP_API cfp_status cfp_evaluate(const cfp_graph *graph, const cfp_options *options,
                                const uint32_t *choice_per_op, size_t count, cfp_plan **out);
/**
 * Profiles without searching: times every strategy of every unique block type (and the
 * mesh axes' collectives where enough GPUs are visible) for the "cuda" cost model, and
 * saves the measurements in the profile DB, so a later cfp_optimize reuses them all.
 * Progress comes through the callback as phase "profile". *out receives a report for
 * people (caller owns it): a summary line, the links per mesh axis, DB warnings, then one
 * line per block type with its configurations, profiled / reused counts and times.
 * @return CFP_ERR_INVALID_ARGUMENT unless the cost model is "cuda"; CFP_ERR_UNSUPPORTED /
 *         CFP_ERR_DEVICE without the CUDA module / a GPU; CFP_ERR_CANCELLED.
 */
CFP_API cfp_status cfp_profile(const cfp_graph *graph, const cfp_options *options, cfp_bytes **out);

/* ------------------------------------------------------------------------------------ */
/* Plans                                                                                */
/* ------------------------------------------------------------------------------------ */

typedef enum cfp_collective_kind {
  CFP_ALL_REDUCE = 0,
  CFP_ALL_GATHER = 1,
  CFP_REDUCE_SCATTER = 2,
  CFP_ALL_TO_ALL = 3
} cfp_collective_kind;

/** Search statistics of a plan. Times in seconds. */
typedef enum cfp_stat {
  CFP_STAT_TIME_LOAD = 0,
  CFP_STAT_TIME_BLOCKS = 1,
  CFP_STAT_TIME_SEGMENTS = 2,
  CFP_STAT_TIME_COSTS = 3,
  CFP_STAT_TIME_SEARCH = 4,
  CFP_STAT_OPS = 5,
  CFP_STAT_BLOCKS = 6,
  CFP_STAT_SEGMENTS = 7,
  CFP_STAT_UNIQUE_SEGMENTS = 8,
  CFP_STAT_CONFIGURATIONS_COSTED = 9,
  CFP_STAT_CONFIGURATIONS_PROFILED = 10,
  CFP_STAT_CONFIGURATIONS_REUSED = 11,
  CFP_STAT_OPS_OUTSIDE_BLOCKS = 12
} cfp_stat;

/** Predicted step time in seconds (compute + communication). */
CFP_API cfp_status cfp_plan_step_time(const cfp_plan *plan, double *out);
CFP_API cfp_status cfp_plan_compute_time(const cfp_plan *plan, double *out);
CFP_API cfp_status cfp_plan_comm_time(const cfp_plan *plan, double *out);
/**
 * What the search minimized, in seconds: the step time plus tie-breaking penalties (the
 * replicated-parameter penalty, see cfp_options_set_replicated_parameter_penalty), so never
 * below cfp_plan_step_time and equal to it when no penalty applies. The search ranks plans
 * by it, and cfp_evaluate prices a choice the same way. It survives cfp_plan_to_buffer; a
 * plan buffer written before it was stored answers its step time.
 */
CFP_API cfp_status cfp_plan_objective(const cfp_plan *plan, double *out);
/** Peak memory per device in bytes. */
CFP_API cfp_status cfp_plan_peak_memory(const cfp_plan *plan, uint64_t *out);
/**
 * 1 if the plan is proven optimal for the cost model and budget, else 0. Optimal means: no
 * plan of the block space has a smaller objective (cfp_plan_objective) within the memory
 * budget. The block space is every per-op choice obtained by giving each ParallelBlock one
 * of its entry's strategies and letting every member follow it (docs/design.md §5, §8); a
 * choice outside it, priced by cfp_evaluate, can be cheaper. 0 when the memory budget's
 * Lagrangian bound is not tight or a search limit stopped the exact search.
 */
CFP_API cfp_status cfp_plan_is_optimal(const cfp_plan *plan, int *out);
CFP_API cfp_status cfp_plan_block_count(const cfp_plan *plan, uint32_t *out);
CFP_API cfp_status cfp_plan_segment_count(const cfp_plan *plan, uint32_t *out);
CFP_API cfp_status cfp_plan_unique_segment_count(const cfp_plan *plan, uint32_t *out);
CFP_API cfp_status cfp_plan_stat(const cfp_plan *plan, cfp_stat stat, double *out);
/** The block `op` belongs to (0xFFFFFFFF when the plan came from cfp_evaluate). */
CFP_API cfp_status cfp_plan_op_block(const cfp_plan *plan, uint32_t op, uint32_t *out);
/** Strategy index of `op` (into its cfp_op_strategy_count list). */
CFP_API cfp_status cfp_plan_op_strategy(const cfp_plan *plan, uint32_t op, uint32_t *out);
/**
 * Sharding of `tensor` as text, e.g. "[0,-] partial{1}": per dim the mesh axes it is split
 * over ("-" = replicated). Written NUL-terminated to `buf`; `needed` (may be NULL) receives
 * the size including the NUL. CFP_ERR_BUFFER_TOO_SMALL if `cap` is too small.
 */
CFP_API cfp_status cfp_plan_tensor_sharding(const cfp_plan *plan, uint32_t tensor, char *buf, size_t cap,
                                            size_t *needed);
/** Number of collectives the plan inserts per step. */
CFP_API cfp_status cfp_plan_collective_count(const cfp_plan *plan, uint32_t *out);
/**
 * Collective `index`: its kind, the tensor it moves, the mesh axes as a bit mask, bytes
 * per device, the op it must precede (-1 = end of step) and its estimated time per step
 * (counting every micro-batch it runs in). Any out pointer may be NULL.
 */
CFP_API cfp_status cfp_plan_collective(const cfp_plan *plan, uint32_t index, cfp_collective_kind *kind,
                                       uint32_t *tensor, uint32_t *mesh_axes_mask, uint64_t *bytes,
                                       int64_t *before_op, double *time);
/**
 * How the plan's costs were obtained, as text, one line per fact: empty for the analytic
 * model; for "cuda" the device measured on with the block configurations profiled, reused
 * and priced analytically (programs the device cannot run), the profile DB, each mesh
 * axis's links ("measured" or "device preset") and any profile DB warning. Written
 * NUL-terminated to `buf` as cfp_plan_tensor_sharding does.
 */
CFP_API cfp_status cfp_plan_cost_notes(const cfp_plan *plan, char *buf, size_t cap, size_t *needed);
/** Serializes the plan as FlatBuffers (flatbuffers/plan.fbs). Caller owns *out. */
CFP_API cfp_status cfp_plan_to_buffer(const cfp_plan *plan, cfp_bytes **out);
/** Serializes the plan as JSON, always valid UTF-8: a byte of a name that does not begin a
 *  well-formed UTF-8 sequence is written as U+FFFD, escaped. Caller owns *out. */
CFP_API cfp_status cfp_plan_to_json(const cfp_plan *plan, cfp_bytes **out);
/** Loads a plan written by cfp_plan_to_buffer (verified; CFP_ERR_INVALID_DATA if not). */
CFP_API cfp_status cfp_plan_from_buffer(const void *data, size_t size, cfp_plan **out);
/** Frees the plan. NULL-safe. */
CFP_API void cfp_plan_destroy(cfp_plan *plan);

#ifdef __cplusplus
}
#endif

#endif /* CFP_H */
