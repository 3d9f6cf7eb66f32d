// Optimizer options: an opaque object with setters.
#include <cmath>
#include <string>

#include "api/guard.h"
#include "api/handles.h"
#include "util/quote.h"

using cfp::Status;
using cfp::api::Guard;
using cfp::api::NotNull;

namespace {

Status CheckOptions(const cfp_options *o) { return NotNull(o, "options"); }

Status Positive(double v, const char *what) {
  if (!(v > 0) || !std::isfinite(v)) return cfp::InvalidArgument(std::string(what) + " must be a positive number");
  return Status::Ok();
}

Status NonNegative(double v, const char *what) {
  if (!(v >= 0) || !std::isfinite(v)) return cfp::InvalidArgument(std::string(what) + " must be a non-negative number");
  return Status::Ok();
}

// Rebuilds the per-axis links from the device after a mesh or device change.
void ResetLinks(cfp::OptimizerOptions &o) { o.axis_links.assign(o.mesh_shape.size(), std::nullopt); }

}  // namespace

extern "C" {

CFP_API cfp_status cfp_options_create(cfp_options **out) {
  CFP_API_CLEAR_OUT(out, nullptr);
  return Guard(__func__, [&]() -> Status {
    CFP_RETURN_IF_ERROR(NotNull(out, "out"));
    *out = new cfp_options();
    return Status::Ok();
  });
}

CFP_API void cfp_options_destroy(cfp_options *options) { delete options; }

CFP_API cfp_status cfp_options_set_mesh(cfp_options *options, const uint32_t *shape, size_t ndims) {
  return Guard(__func__, [&]() -> Status {
    CFP_RETURN_IF_ERROR(CheckOptions(options));
    CFP_RETURN_IF_ERROR(NotNull(shape, "shape"));
    std::vector<uint32_t> s(shape, shape + ndims);
    CFP_RETURN_IF_ERROR(cfp::Mesh::Create(s, options->options.device, options->options.devices_per_node).status());
    options->options.mesh_shape = std::move(s);
    ResetLinks(options->options);
    return Status::Ok();
  });
}

CFP_API cfp_status cfp_options_set_axis_link(cfp_options *options, uint32_t axis, double bandwidth, double latency) {
  return Guard(__func__, [&]() -> Status {
    CFP_RETURN_IF_ERROR(CheckOptions(options));
    if (axis >= options->options.mesh_shape.size())
      return cfp::OutOfRange("mesh axis " + std::to_string(axis) + " does not exist (the mesh has " +
                             std::to_string(options->options.mesh_shape.size()) + " axes)");
    CFP_RETURN_IF_ERROR(Positive(bandwidth, "bandwidth"));
    CFP_RETURN_IF_ERROR(NonNegative(latency, "latency"));
    options->options.axis_links.resize(options->options.mesh_shape.size());
    options->options.axis_links[axis] = std::make_pair(bandwidth, latency);
    return Status::Ok();
  });
}

CFP_API cfp_status cfp_options_set_devices_per_node(cfp_options *options, uint32_t devices) {
  return Guard(__func__, [&]() -> Status {
    CFP_RETURN_IF_ERROR(CheckOptions(options));
    if (devices == 0) return cfp::InvalidArgument("devices per node must be at least 1");
    options->options.devices_per_node = devices;
    return Status::Ok();
  });
}

CFP_API cfp_status cfp_options_set_device(cfp_options *options, const char *preset) {
  return Guard(__func__, [&]() -> Status {
    CFP_RETURN_IF_ERROR(CheckOptions(options));
    CFP_RETURN_IF_ERROR(NotNull(preset, "preset"));
    auto d = cfp::DevicePreset(preset);
    if (!d) {
      std::string names;
      for (const auto &n : cfp::DevicePresetNames()) names += (names.empty() ? "" : ", ") + n;
      return cfp::InvalidArgument("unknown device " + cfp::Quote(preset) + " (known: " + names + ")");
    }
    options->options.device = *d;
    ResetLinks(options->options);
    return Status::Ok();
  });
}

CFP_API cfp_status cfp_options_set_device_peak_flops(cfp_options *options, cfp_dtype dtype, double flops) {
  return Guard(__func__, [&]() -> Status {
    CFP_RETURN_IF_ERROR(CheckOptions(options));
    if (!cfp::IsValidDType(dtype)) return cfp::InvalidArgument("unknown dtype " + std::to_string(dtype));
    CFP_RETURN_IF_ERROR(Positive(flops, "peak FLOP/s"));
    options->options.device.matrix_flops[static_cast<size_t>(dtype)] = flops;
    if (dtype == CFP_F32) options->options.device.vector_flops = std::min(options->options.device.vector_flops, flops);
    return Status::Ok();
  });
}

CFP_API cfp_status cfp_options_set_device_memory_bandwidth(cfp_options *options, double bandwidth) {
  return Guard(__func__, [&]() -> Status {
    CFP_RETURN_IF_ERROR(CheckOptions(options));
    CFP_RETURN_IF_ERROR(Positive(bandwidth, "memory bandwidth"));
    options->options.device.memory_bandwidth = bandwidth;
    return Status::Ok();
  });
}

CFP_API cfp_status cfp_options_set_device_memory_capacity(cfp_options *options, uint64_t bytes) {
  return Guard(__func__, [&]() -> Status {
    CFP_RETURN_IF_ERROR(CheckOptions(options));
    if (bytes == 0) return cfp::InvalidArgument("memory capacity must be at least 1 byte");
    options->options.device.memory_capacity = bytes;
    return Status::Ok();
  });
}

CFP_API cfp_status cfp_options_set_kernel_overhead(cfp_options *options, double seconds) {
  return Guard(__func__, [&]() -> Status {
    CFP_RETURN_IF_ERROR(CheckOptions(options));
    CFP_RETURN_IF_ERROR(NonNegative(seconds, "kernel overhead"));
    options->options.device.kernel_overhead = seconds;
    return Status::Ok();
  });
}

CFP_API cfp_status cfp_options_set_memory_budget(cfp_options *options, uint64_t bytes) {
  return Guard(__func__, [&]() -> Status {
    CFP_RETURN_IF_ERROR(CheckOptions(options));
    options->options.memory_budget = bytes;
    return Status::Ok();
  });
}

CFP_API cfp_status cfp_options_set_compute_scale(cfp_options *options, double scale) {
  return Guard(__func__, [&]() -> Status {
    CFP_RETURN_IF_ERROR(CheckOptions(options));
    CFP_RETURN_IF_ERROR(NonNegative(scale, "compute scale"));
    options->options.cost.compute_scale = scale;
    return Status::Ok();
  });
}

CFP_API cfp_status cfp_options_set_microbatches(cfp_options *options, uint32_t microbatches) {
  return Guard(__func__, [&]() -> Status {
    CFP_RETURN_IF_ERROR(CheckOptions(options));
    if (microbatches == 0) return cfp::InvalidArgument("a step has at least 1 micro-batch");
    options->options.cost.microbatches = microbatches;
    return Status::Ok();
  });
}

CFP_API cfp_status cfp_options_set_allow_replicated_contractions(cfp_options *options, int allow) {
  return Guard(__func__, [&]() -> Status {
    CFP_RETURN_IF_ERROR(CheckOptions(options));
    options->options.rules.allow_replicated_contractions = allow != 0;
    return Status::Ok();
  });
}

CFP_API cfp_status cfp_options_set_replicated_parameter_penalty(cfp_options *options, double seconds_per_byte) {
  return Guard(__func__, [&]() -> Status {
    CFP_RETURN_IF_ERROR(CheckOptions(options));
    CFP_RETURN_IF_ERROR(NonNegative(seconds_per_byte, "replicated parameter penalty"));
    options->options.cost.replicated_param_penalty = seconds_per_byte;
    return Status::Ok();
  });
}

CFP_API cfp_status cfp_options_use_alpa_test_convention(cfp_options *options) {
  return Guard(__func__, [&]() -> Status {
    CFP_RETURN_IF_ERROR(CheckOptions(options));
    cfp::UseAlpaTestConvention(options->options);
    return Status::Ok();
  });
}

CFP_API cfp_status cfp_options_set_cost_model(cfp_options *options, const char *name) {
  return Guard(__func__, [&]() -> Status {
    CFP_RETURN_IF_ERROR(CheckOptions(options));
    CFP_RETURN_IF_ERROR(NotNull(name, "name"));
    std::string n = name;
    if (n != "analytic" && n != "cuda")
      return cfp::InvalidArgument("unknown cost model " + cfp::Quote(n) + " (known: analytic, cuda)");
    options->options.cost_model = n;
    return Status::Ok();
  });
}

CFP_API cfp_status cfp_options_set_profile_db(cfp_options *options, const char *path) {
  return Guard(__func__, [&]() -> Status {
    CFP_RETURN_IF_ERROR(CheckOptions(options));
    CFP_RETURN_IF_ERROR(NotNull(path, "path"));
    options->options.profile_db = path;
    return Status::Ok();
  });
}

CFP_API cfp_status cfp_options_set_threads(cfp_options *options, uint32_t threads) {
  return Guard(__func__, [&]() -> Status {
    CFP_RETURN_IF_ERROR(CheckOptions(options));
    if (threads > 4096) return cfp::InvalidArgument("at most 4096 threads");
    options->options.threads = threads;
    return Status::Ok();
  });
}

CFP_API cfp_status cfp_options_set_time_limit(cfp_options *options, double seconds) {
  return Guard(__func__, [&]() -> Status {
    CFP_RETURN_IF_ERROR(CheckOptions(options));
    CFP_RETURN_IF_ERROR(NonNegative(seconds, "time limit"));
    options->options.time_limit = seconds;
    return Status::Ok();
  });
}

CFP_API cfp_status cfp_options_set_search_memory_limit(cfp_options *options, uint64_t bytes) {
  return Guard(__func__, [&]() -> Status {
    CFP_RETURN_IF_ERROR(CheckOptions(options));
    options->options.search_memory_limit = bytes;
    return Status::Ok();
  });
}

CFP_API cfp_status cfp_options_set_progress_callback(cfp_options *options, cfp_progress_fn fn, void *user_data) {
  return Guard(__func__, [&]() -> Status {
    CFP_RETURN_IF_ERROR(CheckOptions(options));
    options->progress = fn;
    options->progress_user = user_data;
    return Status::Ok();
  });
}

}  // extern "C"
