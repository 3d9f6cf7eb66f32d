use std::fmt;
use std::ptr::{self, NonNull};

use cfp_sys as sys;

use crate::buffers::{take_bytes, text_out};
use crate::error::{check, Error, Result, Status};
use crate::vocabulary::{CollectiveKind, Stat};

/// A parallelism plan: every operator's strategy, every tensor's sharding, the collectives
/// to insert, and the predicted step time and memory. Immutable and thread-safe
/// (`Send + Sync`); dropping it frees the library object.
pub struct Plan {
    ptr: NonNull<sys::cfp_plan>,
}

// SAFETY: cfp.h: "A finished plan. Immutable; safe to share between threads", and every
// accessor takes a const handle.
unsafe impl Send for Plan {}
unsafe impl Sync for Plan {}

/// One collective a plan inserts per step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Collective {
    pub kind: CollectiveKind,
    /// The tensor it moves.
    pub tensor: u32,
    /// The mesh axes it runs over, as a bit mask (bit i = axis i).
    pub mesh_axes: u32,
    /// Bytes per device.
    pub bytes: u64,
    /// The op it must precede; `None` at the end of the step.
    pub before_op: Option<u32>,
    /// Estimated time in seconds.
    pub time: f64,
}

impl Plan {
    /// Takes ownership of a plan returned by the C API.
    ///
    /// # Safety
    /// `ptr` must come from a cfp_ call that hands the caller a new plan, and nothing else
    /// may destroy it.
    pub unsafe fn from_raw(ptr: *mut sys::cfp_plan) -> Option<Plan> {
        NonNull::new(ptr).map(|ptr| Plan { ptr })
    }

    /// The C handle, for calls through [`crate::sys`]. It stays owned by this plan.
    pub fn as_ptr(&self) -> *const sys::cfp_plan {
        self.ptr.as_ptr()
    }

    pub(crate) fn take(ptr: *mut sys::cfp_plan) -> Result<Plan> {
        // SAFETY: `ptr` was just handed over by a successful cfp_ call.
        unsafe { Plan::from_raw(ptr) }
            .ok_or_else(|| Error::new(Status::Internal, "libcfp reported success but returned no plan"))
    }

    /// Verifies and loads a plan written by [`Plan::to_bytes`] ([`Status::InvalidData`] if
    /// it is not one).
    pub fn from_bytes(data: &[u8]) -> Result<Plan> {
        let mut out = ptr::null_mut();
        // SAFETY: `data` is valid for its length during the call; the library copies it.
        check(unsafe { sys::cfp_plan_from_buffer(data.as_ptr().cast(), data.len(), &mut out) })?;
        Plan::take(out)
    }

    fn get<T: Default>(
        &self,
        call: unsafe extern "C" fn(*const sys::cfp_plan, *mut T) -> sys::cfp_status,
    ) -> Result<T> {
        let mut out = T::default();
        // SAFETY: a live plan and a valid out-pointer.
        check(unsafe { call(self.as_ptr(), &mut out) })?;
        Ok(out)
    }

    /// Predicted step time in seconds: compute plus communication.
    pub fn step_time(&self) -> Result<f64> {
        self.get(sys::cfp_plan_step_time)
    }

    /// Predicted compute time per step in seconds.
    pub fn compute_time(&self) -> Result<f64> {
        self.get(sys::cfp_plan_compute_time)
    }

    /// Predicted communication time per step in seconds.
    pub fn comm_time(&self) -> Result<f64> {
        self.get(sys::cfp_plan_comm_time)
    }

    /// What the search minimized, in seconds: the step time plus tie-breaking penalties
    /// (the replicated-parameter penalty), never below [`Plan::step_time`].
    pub fn objective(&self) -> Result<f64> {
        self.get(sys::cfp_plan_objective)
    }

    /// Peak memory per device in bytes.
    pub fn peak_memory(&self) -> Result<u64> {
        self.get(sys::cfp_plan_peak_memory)
    }

    /// Whether the plan is proven optimal for the cost model and budget.
    pub fn is_optimal(&self) -> Result<bool> {
        Ok(self.get(sys::cfp_plan_is_optimal)? != 0)
    }

    /// Number of ParallelBlocks the search used.
    pub fn block_count(&self) -> Result<u32> {
        self.get(sys::cfp_plan_block_count)
    }

    /// Number of segments the blocks formed.
    pub fn segment_count(&self) -> Result<u32> {
        self.get(sys::cfp_plan_segment_count)
    }

    /// Number of distinct segments (the others reuse their costs).
    pub fn unique_segment_count(&self) -> Result<u32> {
        self.get(sys::cfp_plan_unique_segment_count)
    }

    /// A search statistic; times in seconds.
    pub fn stat(&self, stat: Stat) -> Result<f64> {
        let mut out = 0.0;
        check(unsafe { sys::cfp_plan_stat(self.as_ptr(), stat.raw(), &mut out) })?;
        Ok(out)
    }

    /// The block `op` belongs to; `None` for a plan from [`crate::evaluate`], which is not
    /// searched by blocks.
    pub fn op_block(&self, op: u32) -> Result<Option<u32>> {
        let mut out = 0;
        check(unsafe { sys::cfp_plan_op_block(self.as_ptr(), op, &mut out) })?;
        Ok(if out == u32::MAX { None } else { Some(out) })
    }

    /// The strategy of `op`: an index into its [`crate::strategy_count`] strategies.
    pub fn op_strategy(&self, op: u32) -> Result<u32> {
        let mut out = 0;
        check(unsafe { sys::cfp_plan_op_strategy(self.as_ptr(), op, &mut out) })?;
        Ok(out)
    }

    /// The strategy of every op, in op order; `op_count` is the graph's.
    pub fn op_strategies(&self, op_count: u32) -> Result<Vec<u32>> {
        (0..op_count).map(|op| self.op_strategy(op)).collect()
    }

    /// The sharding of `tensor`, e.g. "[0,-] partial{1}": per dim the mesh axes it is split
    /// over ("-" = replicated).
    pub fn tensor_sharding(&self, tensor: u32) -> Result<String> {
        text_out("tensor sharding", |buf, cap, needed| unsafe {
            sys::cfp_plan_tensor_sharding(self.as_ptr(), tensor, buf, cap, needed)
        })
    }

    /// How the plan's costs were obtained, one line per fact: empty for the analytic model;
    /// for "cuda" the device measured on, the block configurations profiled, reused and
    /// priced analytically, the profile DB, each mesh axis's links and any profile DB warning.
    pub fn cost_notes(&self) -> Result<String> {
        text_out("cost notes", |buf, cap, needed| unsafe { sys::cfp_plan_cost_notes(self.as_ptr(), buf, cap, needed) })
    }

    /// Number of collectives the plan inserts per step.
    pub fn collective_count(&self) -> Result<u32> {
        self.get(sys::cfp_plan_collective_count)
    }

    /// Collective `index`.
    pub fn collective(&self, index: u32) -> Result<Collective> {
        let mut kind = sys::cfp_collective_kind(0);
        let (mut tensor, mut mesh_axes, mut bytes, mut before_op, mut time) = (0, 0, 0, 0, 0.0);
        // SAFETY: a live plan and valid out-pointers.
        check(unsafe {
            sys::cfp_plan_collective(
                self.as_ptr(),
                index,
                &mut kind,
                &mut tensor,
                &mut mesh_axes,
                &mut bytes,
                &mut before_op,
                &mut time,
            )
        })?;
        let kind = CollectiveKind::from_code(kind.0).ok_or_else(|| {
            Error::new(
                Status::Unsupported,
                format!("libcfp returned collective kind {}, which this binding does not know", kind.0),
            )
        })?;
        Ok(Collective { kind, tensor, mesh_axes, bytes, before_op: u32::try_from(before_op).ok(), time })
    }

    /// Every collective the plan inserts per step, in the plan's order.
    pub fn collectives(&self) -> Result<Vec<Collective>> {
        (0..self.collective_count()?).map(|i| self.collective(i)).collect()
    }

    /// Serializes the plan as FlatBuffers (schema plan.fbs); [`Plan::from_bytes`] reads it back.
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let mut bytes = ptr::null_mut();
        check(unsafe { sys::cfp_plan_to_buffer(self.as_ptr(), &mut bytes) })?;
        // SAFETY: a successful call handed `bytes` over to us.
        Ok(unsafe { take_bytes(bytes) })
    }

    /// The plan as JSON.
    pub fn to_json(&self) -> Result<String> {
        let mut bytes = ptr::null_mut();
        check(unsafe { sys::cfp_plan_to_json(self.as_ptr(), &mut bytes) })?;
        // SAFETY: a successful call handed `bytes` over to us.
        String::from_utf8(unsafe { take_bytes(bytes) })
            .map_err(|_| Error::new(Status::InvalidData, "the plan's JSON is not valid UTF-8"))
    }
}

impl Drop for Plan {
    fn drop(&mut self) {
        // SAFETY: this plan owns the handle and is dropped once.
        unsafe { sys::cfp_plan_destroy(self.ptr.as_ptr()) }
    }
}

impl fmt::Debug for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Plan")
            .field("step_time", &self.step_time().unwrap_or(f64::NAN))
            .field("peak_memory", &self.peak_memory().unwrap_or(0))
            .finish_non_exhaustive()
    }
}
