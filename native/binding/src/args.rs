//! Reading a call's JS arguments with checks: every mistake becomes a [`BindError`] that names
//! the op, the argument and what was expected, thrown as a JS exception (never a crash).
//!
//! Typed arrays are borrowed zero-copy for the duration of the call. Because JS can hand the
//! same buffer twice, every borrow is recorded and a mutable one that overlaps another borrow is
//! refused (Rust must not see aliased `&mut`).
use crate::napi_sys::*;
use std::cell::RefCell;
use std::ffi::c_void;
use std::ptr;

/// An error for JS: `TypeError` when an argument has the wrong type, `Error` otherwise.
#[derive(Debug)]
pub enum BindError {
    Type(String),
    Value(String),
}

impl From<cat_kernels::KernelError> for BindError {
    fn from(e: cat_kernels::KernelError) -> Self {
        BindError::Value(e.to_string())
    }
}

pub type BindResult<T> = Result<T, BindError>;

/// What an op returns to JS.
#[allow(dead_code)] // every variant is part of the op contract, not all are used yet
pub enum Ret {
    Undefined,
    Number(f64),
    Str(String),
}

struct Borrow {
    start: usize,
    end: usize,
    mutable: bool,
    name: &'static str,
}

/// What N-API reports of a typed-array argument.
struct TypedArray {
    data: *mut c_void,
    len: usize,
    buffer: napi_value,
    offset: usize,
}

/// The arguments of one call of op `op`.
pub struct Args {
    pub env: napi_env,
    pub op: &'static str,
    argv: Vec<napi_value>,
    borrows: RefCell<Vec<Borrow>>,
}

impl Args {
    pub fn new(env: napi_env, op: &'static str, argv: Vec<napi_value>) -> Args {
        Args { env, op, argv, borrows: RefCell::new(Vec::new()) }
    }

    fn type_error(&self, i: usize, name: &str, expected: &str) -> BindError {
        let got = self.describe(i);
        BindError::Type(format!("{}: argument {} ({name}) must be {expected}, got {got}", self.op, i + 1))
    }

    /// A short description of argument `i`'s JS type, for messages.
    fn describe(&self, i: usize) -> &'static str {
        let Some(&v) = self.argv.get(i) else { return "nothing (too few arguments)" };
        let mut t = 0;
        // SAFETY: env and v come from the current callback.
        unsafe {
            if napi_typeof(self.env, v, &mut t) != NAPI_OK {
                return "an unreadable value";
            }
            let mut is_ta = false;
            if t == value_type::OBJECT && napi_is_typedarray(self.env, v, &mut is_ta) == NAPI_OK && is_ta {
                return "another typed array";
            }
        }
        match t {
            value_type::UNDEFINED => "undefined",
            value_type::NULL => "null",
            value_type::BOOLEAN => "a boolean",
            value_type::NUMBER => "a number",
            value_type::STRING => "a string",
            value_type::FUNCTION => "a function",
            value_type::OBJECT => "an object",
            _ => "a value of another type",
        }
    }

    fn value_type(&self, i: usize) -> Option<i32> {
        let v = *self.argv.get(i)?;
        let mut t = 0;
        // SAFETY: env and v come from the current callback.
        (unsafe { napi_typeof(self.env, v, &mut t) } == NAPI_OK).then_some(t)
    }

    /// True when argument `i` is missing, `undefined` or `null`.
    pub fn is_nullish(&self, i: usize) -> bool {
        matches!(self.value_type(i), None | Some(value_type::UNDEFINED) | Some(value_type::NULL))
    }

    /// Argument `i` as a typed array of kind `want`: its data pointer, element count, ArrayBuffer
    /// and byte offset in that buffer.
    fn typed_array(&self, i: usize, name: &'static str, want: i32, expected: &str) -> BindResult<TypedArray> {
        let v = *self.argv.get(i).ok_or_else(|| self.type_error(i, name, expected))?;
        let mut is_ta = false;
        // SAFETY: env and v come from the current callback; out-pointers are valid locals.
        unsafe {
            if napi_is_typedarray(self.env, v, &mut is_ta) != NAPI_OK || !is_ta {
                return Err(self.type_error(i, name, expected));
            }
            let (mut kind, mut len, mut data, mut buffer, mut offset) = (0, 0usize, ptr::null_mut(), ptr::null_mut(), 0usize);
            if napi_get_typedarray_info(self.env, v, &mut kind, &mut len, &mut data, &mut buffer, &mut offset) != NAPI_OK {
                return Err(self.type_error(i, name, expected));
            }
            if kind != want {
                return Err(self.type_error(i, name, expected));
            }
            Ok(TypedArray { data, len, buffer, offset })
        }
    }

    fn record(&self, name: &'static str, ptr: *const f32, len: usize, mutable: bool) -> BindResult<()> {
        if len == 0 {
            return Ok(());
        }
        let start = ptr as usize;
        let end = start + len * 4;
        let mut borrows = self.borrows.borrow_mut();
        for b in borrows.iter() {
            if (mutable || b.mutable) && start < b.end && b.start < end {
                return Err(BindError::Value(format!(
                    "{}: {name} and {} share memory; the output must be a separate Float32Array",
                    self.op, b.name
                )));
            }
        }
        borrows.push(Borrow { start, end, mutable, name });
        Ok(())
    }

    /// Argument `i`, a `Float32Array`, as its `ArrayBuffer` when the array spans the whole
    /// buffer (offset 0, same length), else a Value error: only such an array may be freed.
    pub fn whole_buffer_of_f32s(&self, i: usize, name: &'static str) -> BindResult<napi_value> {
        let ta = self.typed_array(i, name, FLOAT32_ARRAY, "a Float32Array")?;
        let mut byte_len = 0usize;
        let mut buf_data = ptr::null_mut();
        // SAFETY: env and the buffer come from the current callback; out-pointers are valid locals.
        if unsafe { napi_get_arraybuffer_info(self.env, ta.buffer, &mut buf_data, &mut byte_len) } != NAPI_OK {
            return Err(self.type_error(i, name, "a Float32Array"));
        }
        if ta.offset != 0 || ta.len * 4 != byte_len {
            return Err(BindError::Value(format!(
                "{}: {name} is a view ({} floats at byte {}) of a {byte_len}-byte buffer, not the whole buffer",
                self.op, ta.len, ta.offset
            )));
        }
        Ok(ta.buffer)
    }

    /// Argument `i` as a read-only view of a `Float32Array` (zero-copy).
    pub fn f32s<'a>(&'a self, i: usize, name: &'static str) -> BindResult<&'a [f32]> {
        let TypedArray { data, len, .. } = self.typed_array(i, name, FLOAT32_ARRAY, "a Float32Array")?;
        if len == 0 {
            return Ok(&[]);
        }
        self.record(name, data as *const f32, len, false)?;
        // SAFETY: N-API guarantees `data` points at `len` floats that live while the call runs;
        // JS cannot run (and so cannot detach or write the buffer) until the call returns.
        Ok(unsafe { std::slice::from_raw_parts(data as *const f32, len) })
    }

    /// Argument `i` as a `Float32Array`, or `None` when it is `null`/`undefined`.
    pub fn opt_f32s<'a>(&'a self, i: usize, name: &'static str) -> BindResult<Option<&'a [f32]>> {
        if self.is_nullish(i) {
            Ok(None)
        } else {
            self.f32s(i, name).map(Some)
        }
    }

    /// Argument `i` as a writable view of a `Float32Array` that no other argument overlaps.
    #[allow(clippy::mut_from_ref)]
    pub fn f32s_mut<'a>(&'a self, i: usize, name: &'static str) -> BindResult<&'a mut [f32]> {
        let TypedArray { data, len, .. } = self.typed_array(i, name, FLOAT32_ARRAY, "a Float32Array")?;
        if len == 0 {
            return Ok(&mut []);
        }
        self.record(name, data as *const f32, len, true)?;
        // SAFETY: as in `f32s`; `record` proved no other borrow of this call overlaps it.
        Ok(unsafe { std::slice::from_raw_parts_mut(data as *mut f32, len) })
    }

    /// Argument `i` as a JS number.
    pub fn f64(&self, i: usize, name: &'static str) -> BindResult<f64> {
        if self.value_type(i) != Some(value_type::NUMBER) {
            return Err(self.type_error(i, name, "a number"));
        }
        let mut out = 0.0;
        // SAFETY: checked to be a number above.
        unsafe { napi_get_value_double(self.env, self.argv[i], &mut out) };
        Ok(out)
    }

    /// Argument `i` as a non-negative integer (a size, index or count).
    pub fn usize(&self, i: usize, name: &'static str) -> BindResult<usize> {
        let v = self.f64(i, name)?;
        to_usize(v).ok_or_else(|| BindError::Value(format!("{}: argument {} ({name}) must be a non-negative integer, got {v}", self.op, i + 1)))
    }

    /// Argument `i` as a boolean.
    pub fn bool(&self, i: usize, name: &'static str) -> BindResult<bool> {
        if self.value_type(i) != Some(value_type::BOOLEAN) {
            return Err(self.type_error(i, name, "a boolean"));
        }
        let mut out = false;
        // SAFETY: checked to be a boolean above.
        unsafe { napi_get_value_bool(self.env, self.argv[i], &mut out) };
        Ok(out)
    }

    /// Argument `i` as a string.
    pub fn string(&self, i: usize, name: &'static str) -> BindResult<String> {
        if self.value_type(i) != Some(value_type::STRING) {
            return Err(self.type_error(i, name, "a string"));
        }
        let v = self.argv[i];
        let mut len = 0usize;
        // SAFETY: checked to be a string; first call asks for the length, second fills the buffer.
        unsafe {
            napi_get_value_string_utf8(self.env, v, ptr::null_mut(), 0, &mut len);
            let mut buf = vec![0u8; len + 1];
            napi_get_value_string_utf8(self.env, v, buf.as_mut_ptr() as *mut _, len + 1, &mut len);
            buf.truncate(len);
            String::from_utf8(buf).map_err(|_| self.type_error(i, name, "a UTF-8 string"))
        }
    }

    /// Argument `i` as an array of exactly `count` non-negative integers.
    pub fn usizes(&self, i: usize, name: &'static str, count: usize) -> BindResult<Vec<usize>> {
        let expected = format!("an array of {count} non-negative integers");
        let v = *self.argv.get(i).ok_or_else(|| self.type_error(i, name, &expected))?;
        let mut is_array = false;
        let mut len = 0u32;
        // SAFETY: env and v come from the current callback; out-pointers are valid locals.
        unsafe {
            if napi_is_array(self.env, v, &mut is_array) != NAPI_OK || !is_array {
                return Err(self.type_error(i, name, &expected));
            }
            napi_get_array_length(self.env, v, &mut len);
        }
        if len as usize != count {
            return Err(BindError::Value(format!("{}: argument {} ({name}) must be {expected}, got {len} values", self.op, i + 1)));
        }
        (0..len)
            .map(|j| {
                let mut el = ptr::null_mut();
                let mut t = 0;
                let mut d = f64::NAN;
                // SAFETY: j < len; element type checked before reading it as a number.
                unsafe {
                    napi_get_element(self.env, v, j, &mut el);
                    napi_typeof(self.env, el, &mut t);
                    if t == value_type::NUMBER {
                        napi_get_value_double(self.env, el, &mut d);
                    }
                }
                to_usize(d).ok_or_else(|| {
                    BindError::Value(format!("{}: argument {} ({name}) element {j} must be a non-negative integer", self.op, i + 1))
                })
            })
            .collect()
    }
}

fn to_usize(v: f64) -> Option<usize> {
    (v.is_finite() && v >= 0.0 && v.fract() == 0.0 && v <= 9.007_199_254_740_991e15).then_some(v as usize)
}
