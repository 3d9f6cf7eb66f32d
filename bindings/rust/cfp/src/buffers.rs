//! Memory crossing the boundary the other way: bytes and text the library hands back.
use std::os::raw::c_char;

use cfp_sys as sys;

use crate::error::{check, Error, Result, Status};

/// Copies a library buffer into a `Vec` and frees it.
///
/// # Safety
/// `bytes` must be a live `cfp_bytes` the caller owns (or NULL); it is destroyed here.
pub(crate) unsafe fn take_bytes(bytes: *mut sys::cfp_bytes) -> Vec<u8> {
    let data = sys::cfp_bytes_data(bytes).cast::<u8>();
    let size = sys::cfp_bytes_size(bytes);
    let copy = if size == 0 || data.is_null() { Vec::new() } else { std::slice::from_raw_parts(data, size).to_vec() };
    sys::cfp_bytes_destroy(bytes);
    copy
}

/// Text from a `char *buf, size_t cap, size_t *needed` function: tried with a small buffer,
/// then once more with the size the library asked for.
pub(crate) fn text_out<F>(what: &str, mut call: F) -> Result<String>
where
    F: FnMut(*mut c_char, usize, *mut usize) -> sys::cfp_status,
{
    let mut buf = vec![0u8; 256];
    loop {
        let mut needed = 0usize;
        let status = call(buf.as_mut_ptr().cast(), buf.len(), &mut needed);
        if status == sys::cfp_status::CFP_ERR_BUFFER_TOO_SMALL && needed > buf.len() {
            buf = vec![0u8; needed];
            continue;
        }
        check(status)?;
        let len = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
        buf.truncate(len);
        return String::from_utf8(buf)
            .map_err(|_| Error::new(Status::InvalidData, format!("{} is not valid UTF-8", what)));
    }
}
