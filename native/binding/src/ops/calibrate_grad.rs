//! `calibrateGrad`: the gradients of `calibrate` with respect to x, delta and mask.
use super::CalibrateGradArgs;
use crate::args::{BindResult, Ret};

pub fn run(a: CalibrateGradArgs) -> BindResult<Ret> {
    cat_kernels::calibrate::calibrate_grad(a.dy, a.x, a.delta, a.mask, a.dx, a.d_delta, a.d_mask)?;
    Ok(Ret::Undefined)
}
