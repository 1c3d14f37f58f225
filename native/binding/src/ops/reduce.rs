//! `reduce`: Sum, Max or Mean of an `[outer, inner]` view over its last axis (`out` has `outer`
//! values) or over its leading axes (`out` has `inner` values).
use super::ReduceArgs;
use crate::args::{BindError, BindResult, Ret};
use cat_kernels::reduce::{reduce_last_axis, reduce_leading_axes, ReduceOp};

/// The `ReduceOp` with code `code`, or an error naming the function `func`.
pub fn reduce_op(code: usize, func: &str) -> BindResult<ReduceOp> {
    ReduceOp::from_code(code as u32).ok_or_else(|| BindError::Value(format!("{func}: unknown op code {code}")))
}

pub fn run(a: ReduceArgs) -> BindResult<Ret> {
    let op = reduce_op(a.op, "reduce")?;
    if a.over_leading_axes {
        reduce_leading_axes(op, a.x, a.outer, a.inner, a.out)?;
    } else {
        reduce_last_axis(op, a.x, a.outer, a.inner, a.out)?;
    }
    Ok(Ret::Undefined)
}
