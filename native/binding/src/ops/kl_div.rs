//! `klDiv(pLogits, qLogits, out, rows, cols)`: per-row KL(softmax(p) || softmax(q)).
use crate::args::{Args, BindResult, Ret};

pub fn run(a: &Args) -> BindResult<Ret> {
    let (p, q, out) = (a.f32s(0, "pLogits")?, a.f32s(1, "qLogits")?, a.f32s_mut(2, "out")?);
    cat_kernels::kl_div::kl_div_rows(p, q, a.usize(3, "rows")?, a.usize(4, "cols")?, out)?;
    Ok(Ret::Undefined)
}
