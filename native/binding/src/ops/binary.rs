//! `binary(a, b, out, op, aMode, aBlock, bMode, bBlock)`: Add, Sub, Mul, RealDiv, Maximum,
//! Minimum, SquaredDifference. `op` and the broadcast modes are the codes of
//! `cat_kernels::binary::{BinaryOp, Broadcast}` (mode 0 same, 1 scalar, 2 inner, 3 outer).
use crate::args::{Args, BindError, BindResult, Ret};
use cat_kernels::binary::{binary, BinaryOp, Broadcast};

pub fn run(a: &Args) -> BindResult<Ret> {
    let (x, y, out) = (a.f32s(0, "a")?, a.f32s(1, "b")?, a.f32s_mut(2, "out")?);
    let code = a.usize(3, "op")?;
    let op = BinaryOp::from_code(code as u32).ok_or_else(|| BindError::Value(format!("binary: unknown op code {code}")))?;
    let mode = |i: usize, name: &'static str| -> BindResult<Broadcast> {
        let (m, n) = (a.usize(i, name)?, a.usize(i + 1, "block")?);
        Broadcast::from_code(m as u32, n).ok_or_else(|| BindError::Value(format!("binary: bad broadcast mode {m} with block {n} for {name}")))
    };
    binary(op, x, mode(4, "aMode")?, y, mode(6, "bMode")?, out)?;
    Ok(Ret::Undefined)
}
