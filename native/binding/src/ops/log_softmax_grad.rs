//! `logSoftmaxGrad`: log-softmax's gradient from its output.
use super::LogSoftmaxGradArgs;
use crate::args::{BindResult, Ret};

pub fn run(a: LogSoftmaxGradArgs) -> BindResult<Ret> {
    cat_kernels::softmax::log_softmax_grad_rows(a.dy, a.y, a.rows, a.cols, a.dx)?;
    Ok(Ret::Undefined)
}
