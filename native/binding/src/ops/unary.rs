//! `unary(x, out, op, p0, p1)`: the element-wise unary ops of `cat_kernels::unary` (`op` is a
//! `UnaryOp` code; `p0`/`p1` carry alpha or the clip bounds, ignored by other ops).
use crate::args::{Args, BindError, BindResult, Ret};
use cat_kernels::unary::{unary, UnaryOp};

pub fn run(a: &Args) -> BindResult<Ret> {
    let (x, out) = (a.f32s(0, "x")?, a.f32s_mut(1, "out")?);
    let code = a.usize(2, "op")?;
    let (p0, p1) = (a.f64(3, "p0")? as f32, a.f64(4, "p1")? as f32);
    let op = UnaryOp::from_code(code as u32, p0, p1).ok_or_else(|| BindError::Value(format!("unary: unknown op code {code}")))?;
    unary(op, x, out)?;
    Ok(Ret::Undefined)
}
