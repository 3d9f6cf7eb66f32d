use std::fmt;
use std::os::raw::c_char;
use std::path::Path;
use std::ptr::{self, NonNull};

use cfp_sys as sys;

use crate::buffers::take_bytes;
use crate::error::{borrowed_str, c_string, check, Error, Result, Status};
use crate::vocabulary::{DType, OpKind, Phase, TensorRole};

/// An immutable, validated graph of tensors and operators.
///
/// Dropping it frees the library object; the borrow checker rules out use after free:
///
/// ```compile_fail,E0382
/// # fn f(bytes: &[u8]) -> cfp::Result<()> {
/// let graph = cfp::Graph::from_bytes(bytes)?;
/// drop(graph);
/// graph.op_count()?; // use after drop does not compile
/// # Ok(())
/// # }
/// ```
pub struct Graph {
    ptr: NonNull<sys::cfp_graph>,
}

// SAFETY: cfp.h: "An immutable, validated graph. Safe to share between threads once
// created", and functions taking only const handles may run concurrently.
unsafe impl Send for Graph {}
unsafe impl Sync for Graph {}

impl Graph {
    /// Takes ownership of a graph returned by the C API.
    ///
    /// # Safety
    /// `ptr` must come from a cfp_ call that hands the caller a new graph, and nothing else
    /// may destroy it.
    pub unsafe fn from_raw(ptr: *mut sys::cfp_graph) -> Option<Graph> {
        NonNull::new(ptr).map(|ptr| Graph { ptr })
    }

    /// The C handle, for calls through [`crate::sys`]. It stays owned by this graph.
    pub fn as_ptr(&self) -> *const sys::cfp_graph {
        self.ptr.as_ptr()
    }

    fn take(ptr: *mut sys::cfp_graph) -> Result<Graph> {
        // SAFETY: `ptr` was just handed over by a successful cfp_ call.
        unsafe { Graph::from_raw(ptr) }
            .ok_or_else(|| Error::new(Status::Internal, "libcfp reported success but returned no graph"))
    }

    /// Verifies and loads a FlatBuffers graph (schema graph.fbs, identifier "CFPG").
    pub fn from_bytes(data: &[u8]) -> Result<Graph> {
        let mut out = ptr::null_mut();
        // SAFETY: `data` is valid for its length during the call; the library copies it.
        check(unsafe { sys::cfp_graph_from_buffer(data.as_ptr().cast(), data.len(), &mut out) })?;
        Graph::take(out)
    }

    /// Loads a graph file (.cfpg) written by [`Graph::to_file`] or the cfp tool.
    pub fn from_file<P: AsRef<Path>>(path: P) -> Result<Graph> {
        let path = path_string(path.as_ref())?;
        let mut out = ptr::null_mut();
        // SAFETY: `path` is NUL-terminated and outlives the call.
        check(unsafe { sys::cfp_graph_from_file(path.as_ptr(), &mut out) })?;
        Graph::take(out)
    }

    /// Serializes the graph as a FlatBuffers buffer.
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let mut bytes = ptr::null_mut();
        // SAFETY: a live graph; the library allocates `bytes` for us.
        check(unsafe { sys::cfp_graph_to_buffer(self.as_ptr(), &mut bytes) })?;
        // SAFETY: a successful call handed `bytes` over to us.
        Ok(unsafe { take_bytes(bytes) })
    }

    /// Writes the graph to `path` atomically.
    pub fn to_file<P: AsRef<Path>>(&self, path: P) -> Result<()> {
        let path = path_string(path.as_ref())?;
        // SAFETY: a live graph and a NUL-terminated path.
        check(unsafe { sys::cfp_graph_to_file(self.as_ptr(), path.as_ptr()) })
    }

    /// The training step of this forward graph: reverse-mode gradients of every parameter
    /// with respect to the scalar loss (the last op's output) and the update of `optimizer`
    /// ("adam" or "sgd").
    pub fn make_training(&self, optimizer: &str) -> Result<Graph> {
        let optimizer = c_string("optimizer", optimizer)?;
        let mut out = ptr::null_mut();
        // SAFETY: a live graph and a NUL-terminated name.
        check(unsafe { sys::cfp_graph_make_training(self.as_ptr(), optimizer.as_ptr(), &mut out) })?;
        Graph::take(out)
    }

    /// The graph's name.
    pub fn name(&self) -> Result<&str> {
        self.string("graph name", |g, out| unsafe { sys::cfp_graph_name(g, out) })
    }

    /// Number of operators; their ids are `0..op_count()`.
    pub fn op_count(&self) -> Result<u32> {
        let mut n = 0;
        check(unsafe { sys::cfp_graph_op_count(self.as_ptr(), &mut n) })?;
        Ok(n)
    }

    /// Number of tensors; their ids are `0..tensor_count()`.
    pub fn tensor_count(&self) -> Result<u32> {
        let mut n = 0;
        check(unsafe { sys::cfp_graph_tensor_count(self.as_ptr(), &mut n) })?;
        Ok(n)
    }

    /// Name of operator `op`.
    pub fn op_name(&self, op: u32) -> Result<&str> {
        self.string("op name", |g, out| unsafe { sys::cfp_graph_op_name(g, op, out) })
    }

    /// Kind of operator `op`.
    pub fn op_kind(&self, op: u32) -> Result<OpKind> {
        let mut kind = sys::cfp_op_kind(0);
        check(unsafe { sys::cfp_graph_op_kind(self.as_ptr(), op, &mut kind) })?;
        OpKind::from_code(kind.0).ok_or_else(|| unknown("op kind", kind.0))
    }

    /// Scope of operator `op` ("" if none), e.g. "layers.3.mlp".
    pub fn op_scope(&self, op: u32) -> Result<&str> {
        self.string("op scope", |g, out| unsafe { sys::cfp_graph_op_scope(g, op, out) })
    }

    /// Phase of operator `op`: forward, backward or optimizer update.
    pub fn op_phase(&self, op: u32) -> Result<Phase> {
        let mut phase = sys::cfp_phase(0);
        check(unsafe { sys::cfp_graph_op_phase(self.as_ptr(), op, &mut phase) })?;
        Phase::from_code(phase.0).ok_or_else(|| unknown("phase", phase.0))
    }

    /// Tensor ids operator `op` reads, in operand order.
    pub fn op_inputs(&self, op: u32) -> Result<Vec<u32>> {
        self.ids(op, sys::cfp_graph_op_input_count, sys::cfp_graph_op_input)
    }

    /// Tensor ids operator `op` produces.
    pub fn op_outputs(&self, op: u32) -> Result<Vec<u32>> {
        self.ids(op, sys::cfp_graph_op_output_count, sys::cfp_graph_op_output)
    }

    fn ids(
        &self,
        op: u32,
        count: unsafe extern "C" fn(*const sys::cfp_graph, u32, *mut u32) -> sys::cfp_status,
        at: unsafe extern "C" fn(*const sys::cfp_graph, u32, u32, *mut u32) -> sys::cfp_status,
    ) -> Result<Vec<u32>> {
        let mut n = 0;
        // SAFETY: a live graph and valid out-pointers.
        check(unsafe { count(self.as_ptr(), op, &mut n) })?;
        (0..n)
            .map(|i| {
                let mut id = 0;
                check(unsafe { at(self.as_ptr(), op, i, &mut id) })?;
                Ok(id)
            })
            .collect()
    }

    /// The forward operator that backward operator `op` differentiates, or `None` if it has
    /// no such hint.
    pub fn op_grad_of(&self, op: u32) -> Result<Option<u32>> {
        let mut forward = 0;
        check(unsafe { sys::cfp_graph_op_grad_of(self.as_ptr(), op, &mut forward) })?;
        Ok(if forward == sys::CFP_NO_OP { None } else { Some(forward) })
    }

    /// The iteration space of operator `op`: its axes and the axes of its operands' dims.
    pub fn op_iteration_space(&self, op: u32) -> Result<IterationSpace> {
        let g = self.as_ptr();
        let mut n = 0;
        // SAFETY (every call below): a live graph and valid out-pointers.
        check(unsafe { sys::cfp_graph_op_axis_count(g, op, &mut n) })?;
        let axes = (0..n)
            .map(|a| {
                let (mut size, mut reduction, mut splittable) = (0, 0, 0);
                check(unsafe { sys::cfp_graph_op_axis_size(g, op, a, &mut size) })?;
                check(unsafe { sys::cfp_graph_op_axis_is_reduction(g, op, a, &mut reduction) })?;
                check(unsafe { sys::cfp_graph_op_axis_splittable(g, op, a, &mut splittable) })?;
                Ok(Axis { size, reduction: reduction != 0, splittable: splittable != 0 })
            })
            .collect::<Result<Vec<_>>>()?;
        let inputs = self.op_inputs(op)?;
        let outputs = self.op_outputs(op)?;
        let operands = inputs
            .iter()
            .chain(outputs.iter())
            .enumerate()
            .map(|(o, &tensor)| {
                // An operand's rank is its tensor's.
                let mut rank = 0;
                check(unsafe { sys::cfp_graph_tensor_rank(g, tensor, &mut rank) })?;
                (0..rank)
                    .map(|d| {
                        let mut count = 0;
                        check(unsafe { sys::cfp_graph_op_operand_dim_axis_count(g, op, o as u32, d, &mut count) })?;
                        (0..count)
                            .map(|i| {
                                let mut axis = 0;
                                check(unsafe { sys::cfp_graph_op_operand_dim_axis(g, op, o as u32, d, i, &mut axis) })?;
                                Ok(axis)
                            })
                            .collect::<Result<Vec<u32>>>()
                    })
                    .collect::<Result<Vec<_>>>()
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(IterationSpace { axes, inputs: inputs.len(), operands })
    }

    /// The operator producing `tensor`, or `None` for a graph input.
    pub fn tensor_producer(&self, tensor: u32) -> Result<Option<u32>> {
        let mut op = 0;
        check(unsafe { sys::cfp_graph_tensor_producer(self.as_ptr(), tensor, &mut op) })?;
        Ok(if op == sys::CFP_NO_OP { None } else { Some(op) })
    }

    /// The forward tensor `tensor` is the gradient of, or `None` if it has no such hint.
    pub fn tensor_gradient_of(&self, tensor: u32) -> Result<Option<u32>> {
        let mut of = 0;
        check(unsafe { sys::cfp_graph_tensor_gradient_of(self.as_ptr(), tensor, &mut of) })?;
        Ok(if of == sys::CFP_NO_TENSOR { None } else { Some(of) })
    }

    /// The parameter or optimizer state `tensor` replaces in the next step, or `None` if it
    /// replaces none.
    pub fn tensor_updates(&self, tensor: u32) -> Result<Option<u32>> {
        let mut replaced = 0;
        check(unsafe { sys::cfp_graph_tensor_updates(self.as_ptr(), tensor, &mut replaced) })?;
        Ok(if replaced == sys::CFP_NO_TENSOR { None } else { Some(replaced) })
    }

    /// Name of tensor `tensor`.
    pub fn tensor_name(&self, tensor: u32) -> Result<&str> {
        self.string("tensor name", |g, out| unsafe { sys::cfp_graph_tensor_name(g, tensor, out) })
    }

    /// Element type of tensor `tensor`.
    pub fn tensor_dtype(&self, tensor: u32) -> Result<DType> {
        let mut dtype = sys::cfp_dtype(0);
        check(unsafe { sys::cfp_graph_tensor_dtype(self.as_ptr(), tensor, &mut dtype) })?;
        DType::from_code(dtype.0).ok_or_else(|| unknown("dtype", dtype.0))
    }

    /// Role of tensor `tensor`.
    pub fn tensor_role(&self, tensor: u32) -> Result<TensorRole> {
        let mut role = sys::cfp_tensor_role(0);
        check(unsafe { sys::cfp_graph_tensor_role(self.as_ptr(), tensor, &mut role) })?;
        TensorRole::from_code(role.0).ok_or_else(|| unknown("tensor role", role.0))
    }

    /// Shape of tensor `tensor` (empty for a scalar).
    pub fn tensor_shape(&self, tensor: u32) -> Result<Vec<i64>> {
        let mut rank = 0;
        check(unsafe { sys::cfp_graph_tensor_rank(self.as_ptr(), tensor, &mut rank) })?;
        (0..rank)
            .map(|d| {
                let mut dim = 0;
                check(unsafe { sys::cfp_graph_tensor_dim(self.as_ptr(), tensor, d, &mut dim) })?;
                Ok(dim)
            })
            .collect()
    }

    /// Number of elements in all parameter tensors.
    pub fn parameter_count(&self) -> Result<u64> {
        let mut n = 0;
        check(unsafe { sys::cfp_graph_parameter_count(self.as_ptr(), &mut n) })?;
        Ok(n)
    }

    /// Floating-point operations of one execution of the graph (multiply-add = 2).
    pub fn flops(&self) -> Result<f64> {
        let mut f = 0.0;
        check(unsafe { sys::cfp_graph_flops(self.as_ptr(), &mut f) })?;
        Ok(f)
    }

    /// A string the graph owns, borrowed for as long as the graph is.
    fn string<F>(&self, what: &str, call: F) -> Result<&str>
    where
        F: FnOnce(*const sys::cfp_graph, *mut *const c_char) -> sys::cfp_status,
    {
        let mut out = ptr::null();
        check(call(self.as_ptr(), &mut out))?;
        // SAFETY: the string is owned by the graph, which `&self` keeps alive.
        unsafe { borrowed_str(out, what) }
    }
}

/// One axis of an operator's iteration space.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Axis {
    pub size: i64,
    /// Summed over, in no output; otherwise parallel.
    pub reduction: bool,
    /// Whether some strategy may split it across devices.
    pub splittable: bool,
}

/// An operator's loop nest, a plain value: its axes, and for every dim of every operand
/// (inputs first, then outputs) the ids of the axes the dim is made of, outermost first
/// (none for a size-1 dim broadcast against a larger one). Strategies split these axes:
/// [`crate::describe_strategy`]'s "a0<-[0]" splits axis 0 over mesh axis 0.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IterationSpace {
    pub axes: Vec<Axis>,
    /// Number of inputs: `operands[i]` is an input for `i < inputs`.
    pub inputs: usize,
    /// operand -> dim -> axis ids.
    pub operands: Vec<Vec<Vec<u32>>>,
}

/// The einsum-like text [`crate::describe_strategy`] prints after " : ": axes labelled a,
/// b, c, ... by id (a26, a27, ... past z), a dim of several axes in parentheses.
impl fmt::Display for IterationSpace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = |f: &mut fmt::Formatter<'_>, a: u32| {
            if a < 26 {
                write!(f, "{}", char::from(b'a' + a as u8))
            } else {
                write!(f, "a{}", a)
            }
        };
        for (o, dims) in self.operands.iter().enumerate() {
            if o == self.inputs {
                f.write_str("->")?;
            } else if o > 0 {
                f.write_str(",")?;
            }
            for axes in dims {
                if let [a] = axes[..] {
                    label(f, a)?;
                } else {
                    f.write_str("(")?;
                    for &a in axes {
                        label(f, a)?;
                    }
                    f.write_str(")")?;
                }
            }
        }
        if self.inputs == self.operands.len() {
            f.write_str("->")?;
        }
        Ok(())
    }
}

impl Drop for Graph {
    fn drop(&mut self) {
        // SAFETY: this graph owns the handle and is dropped once.
        unsafe { sys::cfp_graph_destroy(self.ptr.as_ptr()) }
    }
}

impl fmt::Debug for Graph {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Graph")
            .field("name", &self.name().unwrap_or("?"))
            .field("ops", &self.op_count().unwrap_or(0))
            .field("tensors", &self.tensor_count().unwrap_or(0))
            .finish()
    }
}

fn unknown(what: &str, code: u32) -> Error {
    Error::new(Status::Unsupported, format!("libcfp returned {} {}, which this binding does not know", what, code))
}

#[cfg(unix)]
pub(crate) fn path_string(path: &Path) -> Result<std::ffi::CString> {
    use std::os::unix::ffi::OsStrExt;
    std::ffi::CString::new(path.as_os_str().as_bytes())
        .map_err(|_| Error::new(Status::InvalidArgument, "path contains a NUL byte"))
}

#[cfg(not(unix))]
pub(crate) fn path_string(path: &Path) -> Result<std::ffi::CString> {
    let s = path.to_str().ok_or_else(|| Error::new(Status::InvalidArgument, "path is not valid Unicode"))?;
    c_string("path", s)
}
