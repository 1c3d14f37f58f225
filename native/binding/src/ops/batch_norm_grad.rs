//! `batchNormGrad(dy, x, mean, variance, scale | null, dx, dMean, dVariance, dScale, dOffset,
//! varianceEpsilon)`: per-channel batch-norm gradient (NHWC, `[C]` parameters).
use crate::args::{Args, BindResult, Ret};
use cat_kernels::batch_norm_grad::{batch_norm_grad, BatchNormGradInputs, BatchNormGradOutputs};

pub fn run(a: &Args) -> BindResult<Ret> {
    let inputs = BatchNormGradInputs {
        dy: a.f32s(0, "dy")?,
        x: a.f32s(1, "x")?,
        mean: a.f32s(2, "mean")?,
        variance: a.f32s(3, "variance")?,
        scale: a.opt_f32s(4, "scale")?,
        variance_epsilon: a.f64(10, "varianceEpsilon")? as f32,
    };
    let mut outs = BatchNormGradOutputs {
        dx: a.f32s_mut(5, "dx")?,
        dmean: a.f32s_mut(6, "dMean")?,
        dvariance: a.f32s_mut(7, "dVariance")?,
        dscale: a.f32s_mut(8, "dScale")?,
        doffset: a.f32s_mut(9, "dOffset")?,
    };
    batch_norm_grad(&inputs, &mut outs)?;
    Ok(Ret::Undefined)
}
