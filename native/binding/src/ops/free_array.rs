//! `freeArray`: detaches a Float32Array's whole ArrayBuffer so its memory is released now.
use super::FreeArrayArgs;
use crate::args::{BindError, BindResult, Ret};
use crate::napi_sys::*;

pub fn run(a: FreeArrayArgs) -> BindResult<Ret> {
    // SAFETY: env and the buffer come from the current callback.
    let status = unsafe { napi_detach_arraybuffer(a.args.env, a.a) };
    if status != NAPI_OK {
        return Err(BindError::Value(format!("freeArray: the buffer cannot be detached (N-API status {status})")));
    }
    Ok(Ret::Undefined)
}
