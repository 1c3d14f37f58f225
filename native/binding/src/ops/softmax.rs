//! `softmax`: row-wise softmax.
use super::SoftmaxArgs;
use crate::args::{BindResult, Ret};

pub fn run(a: SoftmaxArgs) -> BindResult<Ret> {
    cat_kernels::softmax::softmax_rows(a.x, a.rows, a.cols, a.out)?;
    Ok(Ret::Undefined)
}
