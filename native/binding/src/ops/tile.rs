//! `tile`: Tile of a row-major tensor.
use super::TileArgs;
use crate::args::{BindResult, Ret};

pub fn run(a: TileArgs) -> BindResult<Ret> {
    cat_kernels::tile::tile(a.x, &a.in_shape, &a.reps, a.out)?;
    Ok(Ret::Undefined)
}
