//! Safe Rust binding of libcfp, which finds intra-operator parallelism plans for
//! large-model training.
//!
//! Handles own library objects and free them on drop. Failed calls return
//! [`Error`], carrying the library's [`Status`] and message. [`Graph`] and [`Plan`] are
//! immutable and thread-safe (`Send + Sync`); [`GraphBuilder`] and [`Options`] may move
//! between threads but not be shared (`Send`, not `Sync`), as the C API states.
//!
//! ```no_run
//! # fn main() -> cfp::Result<()> {
//! let graph = cfp::model("gpt:layers=2,hidden=256,heads=4,seq=128,batch=8,vocab=1000")?;
//! let mut options = cfp::Options::new()?;
//! options.set_mesh(&[2, 4])?;
//! let plan = cfp::optimize(&graph, &options)?;
//! println!(
//!     "step time {:.3} ms = compute {:.3} ms + communication {:.3} ms",
//!     plan.step_time()? * 1e3,
//!     plan.compute_time()? * 1e3,
//!     plan.comm_time()? * 1e3
//! );
//! # Ok(())
//! # }
//! ```

mod buffers;
mod builder;
mod error;
mod graph;
mod models;
mod optimize;
mod options;
mod plan;
mod vocabulary;

pub use builder::GraphBuilder;
pub use error::{Error, Result, Status};
pub use graph::{Axis, Graph, IterationSpace};
pub use models::{model, model_presets};
pub use optimize::{describe_strategy, evaluate, min_memory, optimize, profile, strategy_count, OptimizeError};
pub use options::Options;
pub use plan::{Collective, Plan};
pub use vocabulary::{Attr, CollectiveKind, Comparison, DType, OpKind, Phase, Stat, TensorRole};

/// The raw declarations of `cfp.h`, for use with the handles' `as_ptr`.
pub use cfp_sys as sys;

/// Version of the loaded library, e.g. "0.1.0".
pub fn version() -> &'static str {
    // SAFETY: a static NUL-terminated ASCII string.
    unsafe { error::static_str(sys::cfp_version_string()) }
}

/// Version of the loaded library as MAJOR*10000 + MINOR*100 + PATCH.
pub fn version_number() -> u32 {
    // SAFETY: no arguments, no state.
    unsafe { sys::cfp_version_number() }
}
