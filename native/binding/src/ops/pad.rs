//! `pad`: PadV2 of a row-major tensor with a constant.
use super::PadArgs;
use crate::args::{BindResult, Ret};

pub fn run(a: PadArgs) -> BindResult<Ret> {
    cat_kernels::slice::pad(a.x, &a.in_shape, &a.pad_before, &a.pad_after, a.constant_value as f32, a.out)?;
    Ok(Ret::Undefined)
}
