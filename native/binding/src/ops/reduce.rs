//! `reduce(x, out, op, outer, inner, overLeadingAxes)`: Sum (0), Max (1) or Mean (2) of a
//! `[outer, inner]` view over its last axis (`out` has `outer` values) or over its leading axes
//! (`out` has `inner` values).
use crate::args::{Args, BindError, BindResult, Ret};
use cat_kernels::reduce::{reduce_last_axis, reduce_leading_axes, ReduceOp};

pub fn run(a: &Args) -> BindResult<Ret> {
    let (x, out) = (a.f32s(0, "x")?, a.f32s_mut(1, "out")?);
    let code = a.usize(2, "op")?;
    let op = ReduceOp::from_code(code as u32).ok_or_else(|| BindError::Value(format!("reduce: unknown op code {code}")))?;
    let (outer, inner) = (a.usize(3, "outer")?, a.usize(4, "inner")?);
    if a.bool(5, "overLeadingAxes")? {
        reduce_leading_axes(op, x, outer, inner, out)?;
    } else {
        reduce_last_axis(op, x, outer, inner, out)?;
    }
    Ok(Ret::Undefined)
}
