//! `calibrateGrad(dy, x, delta, mask, dx, dDelta, dMask)`.
use crate::args::{Args, BindResult, Ret};

pub fn run(a: &Args) -> BindResult<Ret> {
    let (dy, x, d, m) = (a.f32s(0, "dy")?, a.f32s(1, "x")?, a.f32s(2, "delta")?, a.f32s(3, "mask")?);
    let (dx, dd, dm) = (a.f32s_mut(4, "dx")?, a.f32s_mut(5, "dDelta")?, a.f32s_mut(6, "dMask")?);
    cat_kernels::calibrate::calibrate_grad(dy, x, d, m, dx, dd, dm)?;
    Ok(Ret::Undefined)
}
