//! The one error type every kernel returns. Bindings turn it into a JS `Error` with this text.
use std::fmt;

#[derive(Debug, Clone, PartialEq)]
pub enum KernelError {
    /// A buffer's length does not match the shape it was given with.
    BadLength { what: &'static str, expected: usize, got: usize },
    /// A shape or attribute value outside what the kernel accepts.
    BadArgument(String),
}

impl fmt::Display for KernelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KernelError::BadLength { what, expected, got } => {
                write!(f, "{what}: expected {expected} float32 values, got {got}")
            }
            KernelError::BadArgument(msg) => f.write_str(msg),
        }
    }
}

impl std::error::Error for KernelError {}

pub type KernelResult<T = ()> = Result<T, KernelError>;

/// Fails with `BadLength` unless `got == expected`.
pub fn check_len(what: &'static str, expected: usize, got: usize) -> KernelResult {
    if expected == got {
        Ok(())
    } else {
        Err(KernelError::BadLength { what, expected, got })
    }
}

/// Fails with `BadArgument(msg())` unless `ok`.
pub fn ensure(ok: bool, msg: impl FnOnce() -> String) -> KernelResult {
    if ok {
        Ok(())
    } else {
        Err(KernelError::BadArgument(msg()))
    }
}
