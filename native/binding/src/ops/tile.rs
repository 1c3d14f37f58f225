//! `tile(x, out, rank, inShape, reps)`: Tile of a row-major tensor.
use crate::args::{Args, BindResult, Ret};

pub fn run(a: &Args) -> BindResult<Ret> {
    let (x, out) = (a.f32s(0, "x")?, a.f32s_mut(1, "out")?);
    let rank = a.usize(2, "rank")?;
    let shape = a.usizes(3, "inShape", rank)?;
    let reps = a.usizes(4, "reps", rank)?;
    cat_kernels::tile::tile(x, &shape, &reps, out)?;
    Ok(Ret::Undefined)
}
