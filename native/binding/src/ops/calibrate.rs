//! `calibrate(x, delta, mask, out)`: `clip(x + mask * delta, 0, 1)`.
use crate::args::{Args, BindResult, Ret};

pub fn run(a: &Args) -> BindResult<Ret> {
    let (x, d, m) = (a.f32s(0, "x")?, a.f32s(1, "delta")?, a.f32s(2, "mask")?);
    cat_kernels::calibrate::calibrate(x, d, m, a.f32s_mut(3, "out")?)?;
    Ok(Ret::Undefined)
}
