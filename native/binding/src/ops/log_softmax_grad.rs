//! `logSoftmaxGrad(dy, y, dx, rows, cols)`: log-softmax's gradient from its output `y`.
use crate::args::{Args, BindResult, Ret};

pub fn run(a: &Args) -> BindResult<Ret> {
    let (dy, y, dx) = (a.f32s(0, "dy")?, a.f32s(1, "y")?, a.f32s_mut(2, "dx")?);
    cat_kernels::softmax::log_softmax_grad_rows(dy, y, a.usize(3, "rows")?, a.usize(4, "cols")?, dx)?;
    Ok(Ret::Undefined)
}
