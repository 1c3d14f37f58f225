//! Module registration and the one trampoline every op goes through: it reads the arguments,
//! runs the op, turns errors and panics into JS exceptions, and converts the return value.
use crate::args::{Args, BindError, BindResult, Ret};
use crate::napi_sys::*;
use std::ffi::{c_void, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr;

/// An op as registered: its JS name and its body.
pub struct Op {
    pub name: &'static str,
    pub run: fn(&Args) -> BindResult<Ret>,
}

/// Every op gets at most this many arguments; extra ones are an error.
const MAX_ARGS: usize = 16;

unsafe fn throw(env: napi_env, err: BindError) {
    let (is_type, msg) = match err {
        BindError::Type(m) => (true, m),
        BindError::Value(m) => (false, m),
    };
    let msg = CString::new(msg.replace('\0', " ")).unwrap_or_default();
    let code = CString::new("CAT_NATIVE").unwrap();
    if is_type {
        napi_throw_type_error(env, code.as_ptr(), msg.as_ptr());
    } else {
        napi_throw_error(env, code.as_ptr(), msg.as_ptr());
    }
}

unsafe fn to_js(env: napi_env, ret: Ret) -> napi_value {
    let mut out = ptr::null_mut();
    match ret {
        Ret::Undefined => napi_get_undefined(env, &mut out),
        Ret::Number(v) => napi_create_double(env, v, &mut out),
        Ret::Str(s) => napi_create_string_utf8(env, s.as_ptr() as *const _, s.len(), &mut out),
    };
    out
}

unsafe extern "C" fn trampoline(env: napi_env, info: napi_callback_info) -> napi_value {
    let mut argc = MAX_ARGS + 1;
    let mut argv = vec![ptr::null_mut(); MAX_ARGS + 1];
    let mut data: *mut c_void = ptr::null_mut();
    if napi_get_cb_info(env, info, &mut argc, argv.as_mut_ptr(), ptr::null_mut(), &mut data) != NAPI_OK {
        throw(env, BindError::Value("cat native: could not read call arguments".into()));
        return ptr::null_mut();
    }
    let op = &*(data as *const Op);
    if argc > MAX_ARGS {
        throw(env, BindError::Type(format!("{}: too many arguments ({argc})", op.name)));
        return ptr::null_mut();
    }
    argv.truncate(argc);
    let args = Args::new(env, op.name, argv);
    match catch_unwind(AssertUnwindSafe(|| (op.run)(&args))) {
        Ok(Ok(ret)) => to_js(env, ret),
        Ok(Err(e)) => {
            throw(env, e);
            ptr::null_mut()
        }
        Err(panic) => {
            let what = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "unknown panic".into());
            throw(env, BindError::Value(format!("{}: internal error in the native kernel: {what}", op.name)));
            ptr::null_mut()
        }
    }
}

/// Adds one JS function per op to `exports`.
///
/// # Safety
/// `env` and `exports` must come from Node's module initialisation.
pub unsafe fn register_all(env: napi_env, exports: napi_value, ops: &'static [Op]) {
    for op in ops {
        let name = CString::new(op.name).expect("op names have no NUL");
        let mut f = ptr::null_mut();
        let data = op as *const Op as *mut c_void;
        if napi_create_function(env, name.as_ptr(), op.name.len(), Some(trampoline), data, &mut f) == NAPI_OK {
            napi_set_named_property(env, exports, name.as_ptr(), f);
        }
    }
}
