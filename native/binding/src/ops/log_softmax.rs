//! `logSoftmax`: row-wise log-softmax.
use super::LogSoftmaxArgs;
use crate::args::{BindResult, Ret};

pub fn run(a: LogSoftmaxArgs) -> BindResult<Ret> {
    cat_kernels::softmax::log_softmax_rows(a.x, a.rows, a.cols, a.out)?;
    Ok(Ret::Undefined)
}
