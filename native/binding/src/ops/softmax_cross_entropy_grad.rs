//! `softmaxCrossEntropyGrad(dy, logits, labels, dLogits, dLabels, rows, cols)`.
use crate::args::{Args, BindResult, Ret};
use cat_kernels::softmax_cross_entropy::softmax_cross_entropy_rows_grad;

pub fn run(a: &Args) -> BindResult<Ret> {
    let (dy, z, t) = (a.f32s(0, "dy")?, a.f32s(1, "logits")?, a.f32s(2, "labels")?);
    let (dz, dt) = (a.f32s_mut(3, "dLogits")?, a.f32s_mut(4, "dLabels")?);
    softmax_cross_entropy_rows_grad(dy, z, t, a.usize(5, "rows")?, a.usize(6, "cols")?, dz, dt)?;
    Ok(Ret::Undefined)
}
