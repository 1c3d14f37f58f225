//! `softmaxCrossEntropy`: per-row `-sum labels * logSoftmax(logits)`.
use super::SoftmaxCrossEntropyArgs;
use crate::args::{BindResult, Ret};

pub fn run(a: SoftmaxCrossEntropyArgs) -> BindResult<Ret> {
    cat_kernels::softmax_cross_entropy::softmax_cross_entropy_rows(a.logits, a.labels, a.rows, a.cols, a.out)?;
    Ok(Ret::Undefined)
}
