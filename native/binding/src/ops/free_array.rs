//! `freeArray(a)`: detaches `a`'s ArrayBuffer, so V8 releases its memory now instead of at some
//! later garbage collection; `a` is left with length 0. For the backend's output pool, which
//! knows when an array is dead (its tfjs data was deleted and it never escaped) and would
//! otherwise leave hundreds of MB to the GC. The array must span its whole buffer (an array
//! from `Buffer.allocUnsafeSlow` or `new Float32Array(n)`): detaching a view would take the rest
//! of the buffer with it.
use crate::args::{Args, BindError, BindResult, Ret};
use crate::napi_sys::*;

pub fn run(a: &Args) -> BindResult<Ret> {
    let buf = a.whole_buffer_of_f32s(0, "a")?;
    // SAFETY: env and buf come from the current callback.
    let status = unsafe { napi_detach_arraybuffer(a.env, buf) };
    if status != NAPI_OK {
        return Err(BindError::Value(format!("freeArray: the buffer cannot be detached (N-API status {status})")));
    }
    Ok(Ret::Undefined)
}
