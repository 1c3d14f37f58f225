//! `logSoftmax(x, out, rows, cols)`: row-wise log-softmax.
use crate::args::{Args, BindResult, Ret};

pub fn run(a: &Args) -> BindResult<Ret> {
    let (x, out) = (a.f32s(0, "x")?, a.f32s_mut(1, "out")?);
    cat_kernels::softmax::log_softmax_rows(x, a.usize(2, "rows")?, a.usize(3, "cols")?, out)?;
    Ok(Ret::Undefined)
}
