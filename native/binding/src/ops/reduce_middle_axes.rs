//! `reduceMiddleAxes(x, out, op, outer, mid, inner)`: Sum (0), Max (1) or Mean (2) over the
//! middle axis of a `[outer, mid, inner]` view (`out` has `outer * inner` values), e.g. global
//! average pooling over H and W.
use crate::args::{Args, BindError, BindResult, Ret};
use cat_kernels::reduce::{reduce_middle_axes, ReduceOp};

pub fn run(a: &Args) -> BindResult<Ret> {
    let (x, out) = (a.f32s(0, "x")?, a.f32s_mut(1, "out")?);
    let code = a.usize(2, "op")?;
    let op = ReduceOp::from_code(code as u32).ok_or_else(|| BindError::Value(format!("reduceMiddleAxes: unknown op code {code}")))?;
    let (outer, mid, inner) = (a.usize(3, "outer")?, a.usize(4, "mid")?, a.usize(5, "inner")?);
    reduce_middle_axes(op, x, outer, mid, inner, out)?;
    Ok(Ret::Undefined)
}
