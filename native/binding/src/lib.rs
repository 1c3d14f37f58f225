//! cat-native: the N-API addon over cat-kernels. One thin, synchronous wrapper per op in
//! `ops/`; each borrows its Float32Array arguments zero-copy and writes into a JS-allocated
//! output array. See native/README.md for the conventions.
mod args;
mod mpi_sys;
mod napi_sys;
mod ops;
mod register;

use napi_sys::{napi_env, napi_value};

/// Node's entry point for N-API addons (what `NAPI_MODULE` would generate).
///
/// # Safety
/// Called by Node with a valid environment and exports object.
#[no_mangle]
pub unsafe extern "C" fn napi_register_module_v1(env: napi_env, exports: napi_value) -> napi_value {
    register::register_all(env, exports, ops::ALL);
    exports
}
