//! `batchNorm(x, mean, variance, scale | null, offset | null, out, varianceEpsilon)`:
//! FusedBatchNorm (parameters indexed modulo their length, as tfjs's CPU kernel).
use crate::args::{Args, BindResult, Ret};
use cat_kernels::batch_norm::{batch_norm, BatchNormParams};

pub fn run(a: &Args) -> BindResult<Ret> {
    let x = a.f32s(0, "x")?;
    let p = BatchNormParams {
        mean: a.f32s(1, "mean")?,
        variance: a.f32s(2, "variance")?,
        scale: a.opt_f32s(3, "scale")?,
        offset: a.opt_f32s(4, "offset")?,
        variance_epsilon: a.f64(6, "varianceEpsilon")? as f32,
    };
    batch_norm(x, &p, a.f32s_mut(5, "out")?)?;
    Ok(Ret::Undefined)
}
