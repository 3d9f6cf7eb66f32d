//! The model zoo: training-step graphs of MLP, GPT, LLaMA and MoE models (docs/models.md).
use std::os::raw::c_char;
use std::ptr;

use cfp_sys as sys;

use crate::error::{c_string, check, static_str, Error, Result, Status};
use crate::graph::Graph;

/// Builds a training-step graph from a preset name ("gpt3-175b", "llama2-7b", ...), a spec
/// ("gpt:layers=2,hidden=256,heads=4,seq=128,batch=8,vocab=1000") or a preset with
/// overrides ("gpt3-175b:batch=8"). [`Status::InvalidArgument`] names a bad key or value.
pub fn model(spec: &str) -> Result<Graph> {
    let spec = c_string("model spec", spec)?;
    let mut out = ptr::null_mut();
    // SAFETY: a NUL-terminated spec and a valid out-pointer.
    check(unsafe { sys::cfp_model_build(spec.as_ptr(), &mut out) })?;
    // SAFETY: a new graph handed over by a successful call.
    unsafe { Graph::from_raw(out) }
        .ok_or_else(|| Error::new(Status::Internal, "libcfp reported success but returned no graph"))
}

/// The names of the model presets.
pub fn model_presets() -> Result<Vec<&'static str>> {
    let mut count = 0;
    check(unsafe { sys::cfp_model_preset_count(&mut count) })?;
    (0..count)
        .map(|i| {
            let mut name: *const c_char = ptr::null();
            check(unsafe { sys::cfp_model_preset_name(i, &mut name) })?;
            // SAFETY: preset names are static strings.
            Ok(unsafe { static_str(name) })
        })
        .collect()
}
