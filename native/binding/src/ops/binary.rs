//! `binary`: Add, Sub, Multiply, RealDiv, Maximum, Minimum, SquaredDifference with a broadcast
//! per operand (`cat_kernels::binary::{BinaryOp, Broadcast}` codes).
use super::BinaryArgs;
use crate::args::{BindError, BindResult, Ret};
use cat_kernels::binary::{binary, BinaryOp, Broadcast};

fn mode(m: usize, block: usize, name: &str) -> BindResult<Broadcast> {
    Broadcast::from_code(m as u32, block).ok_or_else(|| BindError::Value(format!("binary: bad broadcast mode {m} with block {block} for {name}")))
}

pub fn run(a: BinaryArgs) -> BindResult<Ret> {
    let op = BinaryOp::from_code(a.op as u32).ok_or_else(|| BindError::Value(format!("binary: unknown op code {}", a.op)))?;
    let (am, bm) = (mode(a.a_mode, a.a_block, "aMode")?, mode(a.b_mode, a.b_block, "bMode")?);
    binary(op, a.a, am, a.b, bm, a.out)?;
    Ok(Ret::Undefined)
}
