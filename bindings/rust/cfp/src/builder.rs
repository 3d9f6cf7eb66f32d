use std::ptr::{self, NonNull};

use cfp_sys as sys;

use crate::error::{c_string, check, Error, Result, Status};
use crate::graph::Graph;
use crate::vocabulary::{Attr, DType, OpKind, Phase, TensorRole};

/// Constructs a graph operator by operator. Ids are dense, from 0, in the order tensors and
/// operators are added; [`GraphBuilder::finish`] validates the whole graph.
///
/// A builder may move to another thread but not be shared between threads, because the C
/// object is not thread-safe:
///
/// ```compile_fail,E0277
/// fn shared<T: Sync>() {}
/// shared::<cfp::GraphBuilder>();
/// ```
pub struct GraphBuilder {
    ptr: NonNull<sys::cfp_graph_builder>,
}

// SAFETY: the builder has no thread affinity; `&mut self` on every mutation (and no `Sync`)
// keeps two threads from using it at once, as cfp.h requires ("Not thread-safe").
unsafe impl Send for GraphBuilder {}

impl GraphBuilder {
    /// An empty builder for a graph called `name`.
    pub fn new(name: &str) -> Result<GraphBuilder> {
        let name = c_string("name", name)?;
        let mut out = ptr::null_mut();
        // SAFETY: `name` is NUL-terminated and outlives the call.
        check(unsafe { sys::cfp_graph_builder_create(name.as_ptr(), &mut out) })?;
        NonNull::new(out)
            .map(|ptr| GraphBuilder { ptr })
            .ok_or_else(|| Error::new(Status::Internal, "libcfp reported success but returned no builder"))
    }

    fn raw(&self) -> *mut sys::cfp_graph_builder {
        self.ptr.as_ptr()
    }

    /// Adds a tensor and returns its id. An empty shape is a scalar.
    pub fn add_tensor(&mut self, name: &str, dtype: DType, shape: &[i64], role: TensorRole) -> Result<u32> {
        let name = c_string("name", name)?;
        let mut id = 0;
        // SAFETY: a live builder; `name` and `shape` are valid during the call.
        check(unsafe {
            sys::cfp_graph_builder_add_tensor(
                self.raw(),
                name.as_ptr(),
                dtype.raw(),
                shape.as_ptr(),
                shape.len(),
                role.raw(),
                &mut id,
            )
        })?;
        Ok(id)
    }

    /// Marks `tensor` as the gradient of tensor `of`.
    pub fn set_tensor_gradient_of(&mut self, tensor: u32, of: u32) -> Result<()> {
        check(unsafe { sys::cfp_graph_builder_set_tensor_gradient_of(self.raw(), tensor, of) })
    }

    /// Marks `tensor` as the next-step value of parameter or optimizer state `replaces`.
    pub fn set_tensor_updates(&mut self, tensor: u32, replaces: u32) -> Result<()> {
        check(unsafe { sys::cfp_graph_builder_set_tensor_updates(self.raw(), tensor, replaces) })
    }

    /// Value of a rank-0 constant tensor.
    pub fn set_tensor_value(&mut self, tensor: u32, value: f64) -> Result<()> {
        check(unsafe { sys::cfp_graph_builder_set_tensor_value(self.raw(), tensor, value) })
    }

    /// Adds an operator reading `inputs` and producing `outputs`; returns its id.
    pub fn add_op(&mut self, name: &str, kind: OpKind, inputs: &[u32], outputs: &[u32]) -> Result<u32> {
        let name = c_string("name", name)?;
        let mut id = 0;
        // SAFETY: a live builder; `name`, `inputs` and `outputs` are valid during the call.
        check(unsafe {
            sys::cfp_graph_builder_add_op(
                self.raw(),
                name.as_ptr(),
                kind.raw(),
                inputs.as_ptr(),
                inputs.len(),
                outputs.as_ptr(),
                outputs.len(),
                &mut id,
            )
        })?;
        Ok(id)
    }

    /// Sets an integer-list attribute ([`Attr::Axis`] and [`Attr::Comparison`] take one value).
    pub fn set_op_ints(&mut self, op: u32, attr: Attr, values: &[i64]) -> Result<()> {
        // SAFETY: a live builder; `values` is valid during the call.
        check(unsafe { sys::cfp_graph_builder_set_op_ints(self.raw(), op, attr.raw(), values.as_ptr(), values.len()) })
    }

    /// Sets a floating-point attribute ([`Attr::PadValue`], [`Attr::FlopsPerPoint`]).
    pub fn set_op_double(&mut self, op: u32, attr: Attr, value: f64) -> Result<()> {
        check(unsafe { sys::cfp_graph_builder_set_op_double(self.raw(), op, attr.raw(), value) })
    }

    /// Scope shown in reports, e.g. "layers.3.attn".
    pub fn set_op_scope(&mut self, op: u32, scope: &str) -> Result<()> {
        let scope = c_string("scope", scope)?;
        check(unsafe { sys::cfp_graph_builder_set_op_scope(self.raw(), op, scope.as_ptr()) })
    }

    /// Training-step phase of `op`.
    pub fn set_op_phase(&mut self, op: u32, phase: Phase) -> Result<()> {
        check(unsafe { sys::cfp_graph_builder_set_op_phase(self.raw(), op, phase.raw()) })
    }

    /// Marks `op` as part of the derivative of forward operator `forward_op`.
    pub fn set_op_grad_of(&mut self, op: u32, forward_op: u32) -> Result<()> {
        check(unsafe { sys::cfp_graph_builder_set_op_grad_of(self.raw(), op, forward_op) })
    }

    /// States `op`'s iteration space in einsum notation, e.g. "bsh,hf->bsf".
    pub fn set_op_einsum(&mut self, op: u32, spec: &str) -> Result<()> {
        let spec = c_string("einsum spec", spec)?;
        check(unsafe { sys::cfp_graph_builder_set_op_einsum(self.raw(), op, spec.as_ptr()) })
    }

    /// Validates the graph built so far and returns it. The builder stays usable.
    pub fn finish(&self) -> Result<Graph> {
        let mut out = ptr::null_mut();
        check(unsafe { sys::cfp_graph_builder_finish(self.raw(), &mut out) })?;
        // SAFETY: a new graph handed over by a successful call.
        unsafe { Graph::from_raw(out) }
            .ok_or_else(|| Error::new(Status::Internal, "libcfp reported success but returned no graph"))
    }
}

impl Drop for GraphBuilder {
    fn drop(&mut self) {
        // SAFETY: this builder owns the handle and is dropped once.
        unsafe { sys::cfp_graph_builder_destroy(self.raw()) }
    }
}

impl std::fmt::Debug for GraphBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GraphBuilder").finish_non_exhaustive()
    }
}
