//! `calibrate`: `out = clip(x + mask * delta, 0, 1)`.
use super::CalibrateArgs;
use crate::args::{BindResult, Ret};

pub fn run(a: CalibrateArgs) -> BindResult<Ret> {
    cat_kernels::calibrate::calibrate(a.x, a.delta, a.mask, a.out)?;
    Ok(Ret::Undefined)
}
