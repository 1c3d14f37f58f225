//! `slice(x, out, rank, inShape, begin, size)`: Slice of a row-major tensor.
use crate::args::{Args, BindResult, Ret};

pub fn run(a: &Args) -> BindResult<Ret> {
    let (x, out) = (a.f32s(0, "x")?, a.f32s_mut(1, "out")?);
    let rank = a.usize(2, "rank")?;
    let shape = a.usizes(3, "inShape", rank)?;
    let begin = a.usizes(4, "begin", rank)?;
    let size = a.usizes(5, "size", rank)?;
    cat_kernels::slice::slice(x, &shape, &begin, &size, out)?;
    Ok(Ret::Undefined)
}
