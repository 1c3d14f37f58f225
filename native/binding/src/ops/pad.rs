//! `pad(x, out, rank, inShape, padBefore, padAfter, constantValue)`: PadV2 (constant padding).
use crate::args::{Args, BindResult, Ret};

pub fn run(a: &Args) -> BindResult<Ret> {
    let (x, out) = (a.f32s(0, "x")?, a.f32s_mut(1, "out")?);
    let rank = a.usize(2, "rank")?;
    let shape = a.usizes(3, "inShape", rank)?;
    let before = a.usizes(4, "padBefore", rank)?;
    let after = a.usizes(5, "padAfter", rank)?;
    cat_kernels::slice::pad(x, &shape, &before, &after, a.f64(6, "constantValue")? as f32, out)?;
    Ok(Ret::Undefined)
}
