//! `batchNormGrad`: the per-channel batch-norm gradient.
use super::BatchNormGradArgs;
use crate::args::{BindResult, Ret};
use cat_kernels::batch_norm_grad::{batch_norm_grad, BatchNormGradInputs, BatchNormGradOutputs};

pub fn run(a: BatchNormGradArgs) -> BindResult<Ret> {
    let inputs = BatchNormGradInputs {
        dy: a.dy,
        x: a.x,
        mean: a.mean,
        variance: a.variance,
        scale: a.scale,
        variance_epsilon: a.variance_epsilon as f32,
    };
    let mut outs = BatchNormGradOutputs { dx: a.dx, dmean: a.d_mean, dvariance: a.d_variance, dscale: a.d_scale, doffset: a.d_offset };
    batch_norm_grad(&inputs, &mut outs)?;
    Ok(Ret::Undefined)
}
