//! `reduceMiddleAxes`: Sum, Max or Mean over the middle axis of an `[outer, mid, inner]` view
//! (`out` has `outer * inner` values), e.g. global average pooling over H and W.
use super::{reduce::reduce_op, ReduceMiddleAxesArgs};
use crate::args::{BindResult, Ret};
use cat_kernels::reduce::reduce_middle_axes;

pub fn run(a: ReduceMiddleAxesArgs) -> BindResult<Ret> {
    reduce_middle_axes(reduce_op(a.op, "reduceMiddleAxes")?, a.x, a.outer, a.mid, a.inner, a.out)?;
    Ok(Ret::Undefined)
}
