//! `unary`: the element-wise unary ops of `cat_kernels::unary` (`op` a `UnaryOp` code; `p0`/`p1`
//! carry alpha or the clip bounds, ignored by other ops).
use super::UnaryArgs;
use crate::args::{BindError, BindResult, Ret};
use cat_kernels::unary::{unary, UnaryOp};

pub fn run(a: UnaryArgs) -> BindResult<Ret> {
    let op = UnaryOp::from_code(a.op as u32, a.p0 as f32, a.p1 as f32).ok_or_else(|| BindError::Value(format!("unary: unknown op code {}", a.op)))?;
    unary(op, a.x, a.out)?;
    Ok(Ret::Undefined)
}
