use std::path::Path;
use std::ptr::{self, NonNull};
use std::time::Duration;

use cfp_sys as sys;

use crate::error::{c_string, check, Error, Result, Status};
use crate::graph::path_string;
use crate::vocabulary::DType;

/// Optimizer options. [`Options::new`] starts from the library's defaults (mesh [8] of
/// "h100-sxm", analytic costs, a budget equal to the device's memory, all hardware
/// threads); setters chain:
///
/// ```no_run
/// # fn main() -> cfp::Result<()> {
/// let mut options = cfp::Options::new()?;
/// options.set_mesh(&[2, 4])?.set_device("a100-80gb")?.set_threads(2)?;
/// # Ok(())
/// # }
/// ```
///
/// Options may move to another thread but not be shared between threads, because the C
/// object is not thread-safe:
///
/// ```compile_fail,E0277
/// fn shared<T: Sync>() {}
/// shared::<cfp::Options>();
/// ```
pub struct Options {
    ptr: NonNull<sys::cfp_options>,
}

// SAFETY: the options have no thread affinity; `&mut self` on every setter (and no `Sync`)
// keeps two threads from using them at once, as cfp.h requires.
unsafe impl Send for Options {}

impl Options {
    /// Options with the library's defaults.
    pub fn new() -> Result<Options> {
        let mut out = ptr::null_mut();
        // SAFETY: a valid out-pointer.
        check(unsafe { sys::cfp_options_create(&mut out) })?;
        NonNull::new(out)
            .map(|ptr| Options { ptr })
            .ok_or_else(|| Error::new(Status::Internal, "libcfp reported success but returned no options"))
    }

    /// The C handle, for calls through [`crate::sys`]. It stays owned by these options.
    pub fn as_ptr(&self) -> *const sys::cfp_options {
        self.ptr.as_ptr()
    }

    fn set(&mut self, status: sys::cfp_status) -> Result<&mut Self> {
        check(status)?;
        Ok(self)
    }

    /// Logical device mesh of 1 to 3 axes, e.g. `&[8, 8]`. Resets the axis links.
    pub fn set_mesh(&mut self, shape: &[u32]) -> Result<&mut Self> {
        // SAFETY: live options; `shape` is valid for its length during the call.
        let status = unsafe { sys::cfp_options_set_mesh(self.ptr.as_ptr(), shape.as_ptr(), shape.len()) };
        self.set(status)
    }

    /// Bandwidth (bytes/s, > 0) and latency (s, >= 0) of collectives along mesh axis `axis`.
    pub fn set_axis_link(&mut self, axis: u32, bandwidth: f64, latency: f64) -> Result<&mut Self> {
        let status = unsafe { sys::cfp_options_set_axis_link(self.ptr.as_ptr(), axis, bandwidth, latency) };
        self.set(status)
    }

    /// GPUs per node, used to pick the default axis links (default 8).
    pub fn set_devices_per_node(&mut self, devices: u32) -> Result<&mut Self> {
        let status = unsafe { sys::cfp_options_set_devices_per_node(self.ptr.as_ptr(), devices) };
        self.set(status)
    }

    /// Device preset: "a100-40gb", "a100-80gb", "h100-sxm" or "h200". Resets the device
    /// constants and axis links.
    pub fn set_device(&mut self, preset: &str) -> Result<&mut Self> {
        let preset = c_string("device preset", preset)?;
        let status = unsafe { sys::cfp_options_set_device(self.ptr.as_ptr(), preset.as_ptr()) };
        self.set(status)
    }

    /// Peak dense FLOP/s of the device for arithmetic in `dtype`.
    pub fn set_device_peak_flops(&mut self, dtype: DType, flops: f64) -> Result<&mut Self> {
        let status = unsafe { sys::cfp_options_set_device_peak_flops(self.ptr.as_ptr(), dtype.raw(), flops) };
        self.set(status)
    }

    /// Device memory bandwidth in bytes/s.
    pub fn set_device_memory_bandwidth(&mut self, bytes_per_second: f64) -> Result<&mut Self> {
        let status = unsafe { sys::cfp_options_set_device_memory_bandwidth(self.ptr.as_ptr(), bytes_per_second) };
        self.set(status)
    }

    /// Device memory capacity in bytes.
    pub fn set_device_memory_capacity(&mut self, bytes: u64) -> Result<&mut Self> {
        let status = unsafe { sys::cfp_options_set_device_memory_capacity(self.ptr.as_ptr(), bytes) };
        self.set(status)
    }

    /// Fixed cost per kernel launch, in seconds.
    pub fn set_kernel_overhead(&mut self, seconds: f64) -> Result<&mut Self> {
        let status = unsafe { sys::cfp_options_set_kernel_overhead(self.ptr.as_ptr(), seconds) };
        self.set(status)
    }

    /// Per-device memory budget in bytes; 0 means the device's capacity.
    pub fn set_memory_budget(&mut self, bytes: u64) -> Result<&mut Self> {
        let status = unsafe { sys::cfp_options_set_memory_budget(self.ptr.as_ptr(), bytes) };
        self.set(status)
    }

    /// Multiplier on compute time (1 by default; 0 prices communication only).
    pub fn set_compute_scale(&mut self, scale: f64) -> Result<&mut Self> {
        let status = unsafe { sys::cfp_options_set_compute_scale(self.ptr.as_ptr(), scale) };
        self.set(status)
    }

    /// Micro-batches per step (default 1): the graph is one micro-batch; a step runs its
    /// forward and backward work this many times, then the gradient reductions and the
    /// update once.
    pub fn set_microbatches(&mut self, microbatches: u32) -> Result<&mut Self> {
        let status = unsafe { sys::cfp_options_set_microbatches(self.ptr.as_ptr(), microbatches) };
        self.set(status)
    }

    /// Whether a contraction may run replicated along a mesh axis (default true).
    pub fn set_allow_replicated_contractions(&mut self, allow: bool) -> Result<&mut Self> {
        let status = unsafe { sys::cfp_options_set_allow_replicated_contractions(self.ptr.as_ptr(), allow.into()) };
        self.set(status)
    }

    /// Time charged per replicated parameter byte, a tie-breaker favouring sharded
    /// parameters (default 0).
    pub fn set_replicated_parameter_penalty(&mut self, seconds_per_byte: f64) -> Result<&mut Self> {
        let status = unsafe { sys::cfp_options_set_replicated_parameter_penalty(self.ptr.as_ptr(), seconds_per_byte) };
        self.set(status)
    }

    /// Alpa's auto-sharding test convention: every link of the mesh set so far gets latency
    /// alpha = 1 s and bandwidth 1 / beta = 1 byte/s, compute is free, contractions may not
    /// run replicated, and replicated parameters cost 1e-9 s per byte (in
    /// [`crate::Plan::objective`] only). All-to-all is the plain alpha-beta formula, without
    /// Alpa's empirical factor. Call it after [`Options::set_mesh`]: `set_mesh` and
    /// `set_device` reset the links to the device's, and later setters override what they
    /// set (cfp.h says exactly how).
    pub fn use_alpa_test_convention(&mut self) -> Result<&mut Self> {
        let status = unsafe { sys::cfp_options_use_alpa_test_convention(self.ptr.as_ptr()) };
        self.set(status)
    }

    /// Cost model: "analytic" (default) or "cuda" (profiles on the local GPU).
    pub fn set_cost_model(&mut self, name: &str) -> Result<&mut Self> {
        let name = c_string("cost model", name)?;
        let status = unsafe { sys::cfp_options_set_cost_model(self.ptr.as_ptr(), name.as_ptr()) };
        self.set(status)
    }

    /// Profile database of the "cuda" cost model.
    pub fn set_profile_db<P: AsRef<Path>>(&mut self, path: P) -> Result<&mut Self> {
        let path = path_string(path.as_ref())?;
        let status = unsafe { sys::cfp_options_set_profile_db(self.ptr.as_ptr(), path.as_ptr()) };
        self.set(status)
    }

    /// Worker threads (0 = all hardware threads).
    pub fn set_threads(&mut self, threads: u32) -> Result<&mut Self> {
        let status = unsafe { sys::cfp_options_set_threads(self.ptr.as_ptr(), threads) };
        self.set(status)
    }

    /// Wall-clock limit of the search (`Duration::ZERO` = none).
    pub fn set_time_limit(&mut self, limit: Duration) -> Result<&mut Self> {
        let status = unsafe { sys::cfp_options_set_time_limit(self.ptr.as_ptr(), limit.as_secs_f64()) };
        self.set(status)
    }

    /// Limit on the memory the search itself may use, in bytes (0 = none).
    pub fn set_search_memory_limit(&mut self, bytes: u64) -> Result<&mut Self> {
        let status = unsafe { sys::cfp_options_set_search_memory_limit(self.ptr.as_ptr(), bytes) };
        self.set(status)
    }
}

impl Drop for Options {
    fn drop(&mut self) {
        // SAFETY: these options own the handle and are dropped once.
        unsafe { sys::cfp_options_destroy(self.ptr.as_ptr()) }
    }
}

impl std::fmt::Debug for Options {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Options").finish_non_exhaustive()
    }
}
