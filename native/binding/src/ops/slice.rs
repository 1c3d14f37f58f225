//! `slice`: Slice of a row-major tensor.
use super::SliceArgs;
use crate::args::{BindResult, Ret};

pub fn run(a: SliceArgs) -> BindResult<Ret> {
    cat_kernels::slice::slice(a.x, &a.in_shape, &a.begin, &a.size, a.out)?;
    Ok(Ret::Undefined)
}
