//! `softmaxCrossEntropyGrad`: the cross-entropy's gradients with respect to logits and labels.
use super::SoftmaxCrossEntropyGradArgs;
use crate::args::{BindResult, Ret};

pub fn run(a: SoftmaxCrossEntropyGradArgs) -> BindResult<Ret> {
    let (rows, cols) = (a.rows, a.cols);
    cat_kernels::softmax_cross_entropy::softmax_cross_entropy_rows_grad(a.dy, a.logits, a.labels, rows, cols, a.d_logits, a.d_labels)?;
    Ok(Ret::Undefined)
}
