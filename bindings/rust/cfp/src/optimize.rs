//! Finding and pricing plans. Graphs and options are only read, so these calls may run
//! concurrently on one graph.
use std::fmt;
use std::ptr;

use cfp_sys as sys;

use crate::buffers::{take_bytes, text_out};
use crate::error::{check, Error, Result, Status};
use crate::graph::Graph;
use crate::options::Options;
use crate::plan::Plan;

/// Why [`optimize`] failed. When the time or memory limit stopped the search it may carry
/// the best plan found so far. `?` turns it into an [`Error`].
#[derive(Debug)]
pub struct OptimizeError {
    error: Error,
    best_so_far: Option<Plan>,
}

impl OptimizeError {
    /// Why the search failed: [`Status::Infeasible`] when no plan fits the budget,
    /// [`Status::TimeLimit`] or [`Status::MemoryLimit`] when a limit stopped it, ...
    pub fn status(&self) -> Status {
        self.error.status()
    }

    /// The library's message; for an infeasible budget it says what the smallest plan needs.
    pub fn message(&self) -> &str {
        self.error.message()
    }

    /// The error without the plan.
    pub fn error(&self) -> &Error {
        &self.error
    }

    /// The best plan found before a limit stopped the search, if there was one.
    pub fn best_so_far(&self) -> Option<&Plan> {
        self.best_so_far.as_ref()
    }

    /// Takes the best plan found so far.
    pub fn into_best_so_far(self) -> Option<Plan> {
        self.best_so_far
    }
}

impl fmt::Display for OptimizeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.error.fmt(f)
    }
}

impl std::error::Error for OptimizeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}

impl From<OptimizeError> for Error {
    fn from(e: OptimizeError) -> Error {
        e.error
    }
}

/// The plan of least predicted step time within the memory budget.
pub fn optimize(graph: &Graph, options: &Options) -> std::result::Result<Plan, OptimizeError> {
    let mut out = ptr::null_mut();
    // SAFETY: live graph and options (borrowed for the call) and a valid out-pointer.
    let status = unsafe { sys::cfp_optimize(graph.as_ptr(), options.as_ptr(), &mut out) };
    let result = check(status);
    // SAFETY: whatever the status, a non-NULL plan is handed over to us.
    let plan = unsafe { Plan::from_raw(out) };
    match result {
        Ok(()) => plan.ok_or_else(|| OptimizeError {
            error: Error::new(Status::Internal, "libcfp reported success but returned no plan"),
            best_so_far: None,
        }),
        Err(error) => Err(OptimizeError { error, best_so_far: plan }),
    }
}

/// Prices a per-operator choice (`choice[i]` indexes op i's strategies, one entry per op)
/// under the same cost model as [`optimize`], ignoring the memory budget.
pub fn evaluate(graph: &Graph, options: &Options, choice: &[u32]) -> Result<Plan> {
    let mut out = ptr::null_mut();
    // SAFETY: live handles; `choice` is valid for its length during the call.
    check(unsafe { sys::cfp_evaluate(graph.as_ptr(), options.as_ptr(), choice.as_ptr(), choice.len(), &mut out) })?;
    Plan::take(out)
}

/// Profiles without searching, for the "cuda" cost model: times every strategy of every
/// unique block type (and the mesh axes' collectives where enough GPUs are visible) and saves
/// the times in the options' profile DB, so a later [`optimize`] reuses them all. Returns a
/// report for people: a summary line, the links per mesh axis, DB warnings, then one line per
/// block type.
///
/// Fails with [`Status::InvalidArgument`] unless the cost model is "cuda", and with
/// [`Status::Unsupported`] or [`Status::Device`] without the CUDA module or a GPU.
pub fn profile(graph: &Graph, options: &Options) -> Result<String> {
    let mut bytes = ptr::null_mut();
    // SAFETY: live graph and options; a valid out-pointer.
    check(unsafe { sys::cfp_profile(graph.as_ptr(), options.as_ptr(), &mut bytes) })?;
    // SAFETY: a successful call handed `bytes` over to us.
    String::from_utf8(unsafe { take_bytes(bytes) })
        .map_err(|_| Error::new(Status::InvalidData, "the profile report is not valid UTF-8"))
}

/// Smallest per-device memory of any plan, in bytes.
pub fn min_memory(graph: &Graph, options: &Options) -> Result<u64> {
    let mut out = 0;
    check(unsafe { sys::cfp_min_memory(graph.as_ptr(), options.as_ptr(), &mut out) })?;
    Ok(out)
}

/// Number of strategies of operator `op` on the options' mesh.
pub fn strategy_count(graph: &Graph, options: &Options, op: u32) -> Result<u32> {
    let mut out = 0;
    check(unsafe { sys::cfp_op_strategy_count(graph.as_ptr(), options.as_ptr(), op, &mut out) })?;
    Ok(out)
}

/// Strategy `index` of operator `op` in words, e.g. "a0<-[0] a2<-[1] : bsh,hf->bsf".
pub fn describe_strategy(graph: &Graph, options: &Options, op: u32, index: u32) -> Result<String> {
    text_out("strategy description", |buf, cap, needed| unsafe {
        sys::cfp_op_strategy_describe(graph.as_ptr(), options.as_ptr(), op, index, buf, cap, needed)
    })
}
