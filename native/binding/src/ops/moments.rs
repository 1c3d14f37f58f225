//! `moments`: per-column mean and biased variance of an `[outer, inner]` view.
use super::MomentsArgs;
use crate::args::{BindResult, Ret};

pub fn run(a: MomentsArgs) -> BindResult<Ret> {
    cat_kernels::reduce::moments_leading_axes(a.x, a.outer, a.inner, a.mean, a.variance)?;
    Ok(Ret::Undefined)
}
