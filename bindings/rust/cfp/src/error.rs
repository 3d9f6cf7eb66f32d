use std::ffi::{CStr, CString};
use std::fmt;
use std::os::raw::c_char;

use cfp_sys as sys;

/// Why a libcfp call failed (`cfp_status` without `CFP_OK`).
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    InvalidArgument,
    InvalidGraph,
    InvalidData,
    Io,
    OutOfMemory,
    OutOfRange,
    BufferTooSmall,
    Infeasible,
    Unsupported,
    Device,
    TimeLimit,
    MemoryLimit,
    Cancelled,
    Internal,
    /// A code this binding does not know (from a newer library).
    Unknown(u32),
}

const CODES: [(Status, u32); 14] = [
    (Status::InvalidArgument, 1),
    (Status::InvalidGraph, 2),
    (Status::InvalidData, 3),
    (Status::Io, 4),
    (Status::OutOfMemory, 5),
    (Status::OutOfRange, 6),
    (Status::BufferTooSmall, 7),
    (Status::Infeasible, 8),
    (Status::Unsupported, 9),
    (Status::Device, 10),
    (Status::TimeLimit, 11),
    (Status::MemoryLimit, 12),
    (Status::Cancelled, 13),
    (Status::Internal, 14),
];

impl Status {
    /// The numeric code of `cfp.h`.
    pub fn code(self) -> u32 {
        match self {
            Status::Unknown(code) => code,
            known => CODES.iter().find(|(s, _)| *s == known).map(|(_, c)| *c).unwrap_or(0),
        }
    }

    fn from_code(code: u32) -> Status {
        CODES.iter().find(|(_, c)| *c == code).map(|(s, _)| *s).unwrap_or(Status::Unknown(code))
    }

    /// The library's name of the code, e.g. "CFP_ERR_INVALID_GRAPH".
    pub fn name(self) -> &'static str {
        // SAFETY: cfp_status_string returns a static string for every value.
        unsafe { static_str(sys::cfp_status_string(sys::cfp_status(self.code()))) }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A failed libcfp call: its status and the library's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    status: Status,
    message: String,
}

impl Error {
    /// An error raised by this binding before reaching the library.
    pub(crate) fn new(status: Status, message: impl Into<String>) -> Error {
        Error { status, message: message.into() }
    }

    /// Why the call failed.
    pub fn status(&self) -> Status {
        self.status
    }

    /// The library's message, e.g. "cfp_graph_op_name: op 5 is out of range (graph has 5 ops)".
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} [{}]", self.message, self.status)
    }
}

impl std::error::Error for Error {}

/// `Result` with this crate's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

/// Turns a status into a `Result`. Call it straight after the C call: the message is per
/// thread and the next cfp_ call on this thread replaces it.
pub(crate) fn check(status: sys::cfp_status) -> Result<()> {
    if status == sys::cfp_status::CFP_OK {
        return Ok(());
    }
    // SAFETY: cfp_last_error_message returns a NUL-terminated string valid until the next
    // cfp_ call on this thread; it is copied at once.
    let message = unsafe { CStr::from_ptr(sys::cfp_last_error_message()) }.to_string_lossy().into_owned();
    Err(Error { status: Status::from_code(status.0), message })
}

/// A C string for `what`; strings with a NUL byte cannot cross the boundary whole.
pub(crate) fn c_string(what: &str, s: &str) -> Result<CString> {
    CString::new(s).map_err(|_| Error::new(Status::InvalidArgument, format!("{} contains a NUL byte", what)))
}

/// A string owned by the library (static, or by a handle the caller keeps borrowed).
///
/// # Safety
/// `p` must be a NUL-terminated string that outlives `'a`.
pub(crate) unsafe fn borrowed_str<'a>(p: *const c_char, what: &str) -> Result<&'a str> {
    if p.is_null() {
        return Ok("");
    }
    CStr::from_ptr(p).to_str().map_err(|_| Error::new(Status::InvalidData, format!("{} is not valid UTF-8", what)))
}

/// A static ASCII string from the library.
///
/// # Safety
/// `p` must be a static NUL-terminated string.
pub(crate) unsafe fn static_str(p: *const c_char) -> &'static str {
    borrowed_str(p, "library string").unwrap_or("")
}
