//! `klDivGrad(dy, pLogits, qLogits, dp, dq, rows, cols)`: gradients of `sum(dy * klDiv)`.
use crate::args::{Args, BindResult, Ret};

pub fn run(a: &Args) -> BindResult<Ret> {
    let (dy, p, q) = (a.f32s(0, "dy")?, a.f32s(1, "pLogits")?, a.f32s(2, "qLogits")?);
    let (dp, dq) = (a.f32s_mut(3, "dp")?, a.f32s_mut(4, "dq")?);
    cat_kernels::kl_div::kl_div_rows_grad(dy, p, q, a.usize(5, "rows")?, a.usize(6, "cols")?, dp, dq)?;
    Ok(Ret::Undefined)
}
