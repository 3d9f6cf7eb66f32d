package cfp

import (
	"runtime"
	"time"

	"cfp/internal/capi"
)

// Options configure the optimizer. NewOptions starts from the library's defaults (mesh [8]
// of "h100-sxm", analytic costs, a budget equal to the device's memory, all hardware
// threads) and applies the given settings in order:
//
//	opts, err := cfp.NewOptions(cfp.Mesh(2, 4), cfp.Device("a100-80gb"), cfp.Threads(2))
//
// Settings are serialized; any number of Optimize and Evaluate calls may read one Options
// at once.
type Options struct {
	h handle
}

// An Option is one setting, applied by NewOptions or Options.Set. A setting the library
// rejects makes that call fail with the library's message.
type Option struct {
	err   error // found before reaching the library
	apply func(p uintptr) status
}

// NewOptions returns options with the library's defaults and then settings applied in order.
func NewOptions(settings ...Option) (*Options, error) {
	var p uintptr
	if err := call(func() status { return capi.Cfp_options_create(&p) }); err != nil {
		return nil, err
	}
	o := &Options{h: handle{ptr: p, destroy: capi.Cfp_options_destroy}}
	runtime.SetFinalizer(o, (*Options).Close)
	if err := o.Set(settings...); err != nil {
		o.Close()
		return nil, err
	}
	return o, nil
}

// Set applies settings in order and stops at the first that fails; the ones before it stay.
func (o *Options) Set(settings ...Option) error {
	return o.h.exclusive(func(p uintptr) error {
		for _, s := range settings {
			if s.err != nil {
				return s.err
			}
			if err := call(func() status { return s.apply(p) }); err != nil {
				return err
			}
		}
		return nil
	})
}

// Close frees the options. Calling it again does nothing.
func (o *Options) Close() error {
	o.h.close()
	return nil
}

func setting(apply func(p uintptr) status) Option { return Option{apply: apply} }

func textSetting(what, s string, apply func(p uintptr) status) Option {
	if err := cString(what, s); err != nil {
		return Option{err: err}
	}
	return Option{apply: apply}
}

// Mesh is the logical device mesh of 1 to 3 axes, e.g. Mesh(8, 8). It resets the axis links.
func Mesh(shape ...uint32) Option {
	s := append([]uint32(nil), shape...)
	return setting(func(p uintptr) status { return capi.Cfp_options_set_mesh(p, s) })
}

// AxisLink sets the bandwidth (bytes/s, > 0) and latency (s, >= 0) of collectives along a mesh axis.
func AxisLink(axis uint32, bandwidth, latency float64) Option {
	return setting(func(p uintptr) status { return capi.Cfp_options_set_axis_link(p, axis, bandwidth, latency) })
}

// DevicesPerNode is the number of GPUs per node, used to pick default axis links (default 8).
func DevicesPerNode(devices uint32) Option {
	return setting(func(p uintptr) status { return capi.Cfp_options_set_devices_per_node(p, devices) })
}

// Device selects a device preset: "a100-40gb", "a100-80gb", "h100-sxm" or "h200". It
// resets the device constants and axis links.
func Device(preset string) Option {
	return textSetting("device preset", preset, func(p uintptr) status { return capi.Cfp_options_set_device(p, preset) })
}

// DevicePeakFlops is the device's peak dense FLOP/s for arithmetic in dtype.
func DevicePeakFlops(dtype DType, flops float64) Option {
	return setting(func(p uintptr) status {
		return capi.Cfp_options_set_device_peak_flops(p, capi.Enum_SS_cfp_dtype(dtype), flops)
	})
}

// DeviceMemoryBandwidth is the device's memory bandwidth in bytes/s.
func DeviceMemoryBandwidth(bytesPerSecond float64) Option {
	return setting(func(p uintptr) status { return capi.Cfp_options_set_device_memory_bandwidth(p, bytesPerSecond) })
}

// DeviceMemoryCapacity is the device's memory capacity in bytes.
func DeviceMemoryCapacity(bytes uint64) Option {
	return setting(func(p uintptr) status { return capi.Cfp_options_set_device_memory_capacity(p, bytes) })
}

// KernelOverhead is the fixed cost of each kernel launch.
func KernelOverhead(seconds float64) Option {
	return setting(func(p uintptr) status { return capi.Cfp_options_set_kernel_overhead(p, seconds) })
}

// MemoryBudget is the per-device memory budget in bytes; 0 means the device's capacity.
func MemoryBudget(bytes uint64) Option {
	return setting(func(p uintptr) status { return capi.Cfp_options_set_memory_budget(p, bytes) })
}

// ComputeScale multiplies compute time (1 by default; 0 prices communication only).
func ComputeScale(scale float64) Option {
	return setting(func(p uintptr) status { return capi.Cfp_options_set_compute_scale(p, scale) })
}

// Microbatches sets the micro-batches per step (default 1): the graph is one micro-batch; a
// step runs its forward and backward work this many times, then the gradient reductions and
// the update once.
func Microbatches(n uint32) Option {
	return setting(func(p uintptr) status { return capi.Cfp_options_set_microbatches(p, n) })
}

// AllowReplicatedContractions says whether a contraction may run replicated along a mesh
// axis (default true).
func AllowReplicatedContractions(allow bool) Option {
	flag := 0
	if allow {
		flag = 1
	}
	return setting(func(p uintptr) status { return capi.Cfp_options_set_allow_replicated_contractions(p, flag) })
}

// ReplicatedParameterPenalty is the time charged per replicated parameter byte, a
// tie-breaker favouring sharded parameters (default 0).
func ReplicatedParameterPenalty(secondsPerByte float64) Option {
	return setting(func(p uintptr) status {
		return capi.Cfp_options_set_replicated_parameter_penalty(p, secondsPerByte)
	})
}

// AlpaTestConvention applies Alpa's auto-sharding test convention: every link of the mesh
// set so far gets latency alpha = 1 s and bandwidth 1/beta = 1 byte/s, compute is free,
// contractions may not run replicated, and replicated parameters cost 1e-9 s per byte (in
// Plan.Objective only). All-to-all is the plain alpha-beta formula, without Alpa's
// empirical factor. Put it after Mesh: Mesh and Device reset the links to the device's, and
// later settings override what they set (cfp.h says exactly how).
func AlpaTestConvention() Option {
	return setting(func(p uintptr) status { return capi.Cfp_options_use_alpa_test_convention(p) })
}

// CostModel selects "analytic" (default) or "cuda" (profiles on the local GPU).
func CostModel(name string) Option {
	return textSetting("cost model", name, func(p uintptr) status { return capi.Cfp_options_set_cost_model(p, name) })
}

// ProfileDB is the profile database of the "cuda" cost model.
func ProfileDB(path string) Option {
	return textSetting("path", path, func(p uintptr) status { return capi.Cfp_options_set_profile_db(p, path) })
}

// Threads is the number of worker threads (0 = all hardware threads).
func Threads(n uint32) Option {
	return setting(func(p uintptr) status { return capi.Cfp_options_set_threads(p, n) })
}

// TimeLimit is the wall-clock limit of the search (0 = none).
func TimeLimit(limit time.Duration) Option {
	seconds := limit.Seconds()
	return setting(func(p uintptr) status { return capi.Cfp_options_set_time_limit(p, seconds) })
}

// SearchMemoryLimit limits the memory the search itself may use, in bytes (0 = none).
func SearchMemoryLimit(bytes uint64) Option {
	return setting(func(p uintptr) status { return capi.Cfp_options_set_search_memory_limit(p, bytes) })
}
