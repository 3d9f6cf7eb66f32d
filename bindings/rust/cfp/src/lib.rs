//! Safe Rust binding of libcfp, which finds intra-operator parallelism plans for
//! large-model training.
//!
//! Handles own library objects and free them on drop. Failed calls return
//! [`Error`], carrying the library's [`Status`] and message. [`Graph`] is immutable and
//! thread-safe (`Send + Sync`); [`GraphBuilder`] may move between threads but not be
//! shared (`Send`, not `Sync`), as the C API states.
//!
//! ```no_run
//! # fn main() -> cfp::Result<()> {
//! let bytes = std::fs::read("model.cfpg").expect("readable file");
//! let graph = cfp::Graph::from_bytes(&bytes)?;
//! println!("{} ops", graph.op_count()?);
//! # Ok(())
//! # }
//! ```

mod builder;
mod error;
mod graph;
mod vocabulary;

pub use builder::GraphBuilder;
pub use error::{Error, Result, Status};
pub use graph::Graph;
pub use vocabulary::{Attr, Comparison, DType, OpKind, Phase, TensorRole};

/// The raw declarations, for calls this crate does not wrap yet.
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
