//! `softmaxCrossEntropy(logits, labels, out, rows, cols)`: per-row `-sum labels * logSoftmax`.
use crate::args::{Args, BindResult, Ret};
use cat_kernels::softmax_cross_entropy::softmax_cross_entropy_rows;

pub fn run(a: &Args) -> BindResult<Ret> {
    let (z, t, out) = (a.f32s(0, "logits")?, a.f32s(1, "labels")?, a.f32s_mut(2, "out")?);
    softmax_cross_entropy_rows(z, t, a.usize(3, "rows")?, a.usize(4, "cols")?, out)?;
    Ok(Ret::Undefined)
}
