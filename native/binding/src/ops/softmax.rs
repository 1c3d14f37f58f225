//! `softmax(x, out, rows, cols)`: row-wise softmax.
use crate::args::{Args, BindResult, Ret};

pub fn run(a: &Args) -> BindResult<Ret> {
    let (x, out) = (a.f32s(0, "x")?, a.f32s_mut(1, "out")?);
    cat_kernels::softmax::softmax_rows(x, a.usize(2, "rows")?, a.usize(3, "cols")?, out)?;
    Ok(Ret::Undefined)
}
