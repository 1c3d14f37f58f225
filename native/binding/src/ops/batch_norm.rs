//! `batchNorm`: FusedBatchNorm's inference form.
use super::BatchNormArgs;
use crate::args::{BindResult, Ret};
use cat_kernels::batch_norm::{batch_norm, BatchNormParams};

pub fn run(a: BatchNormArgs) -> BindResult<Ret> {
    let p = BatchNormParams {
        mean: a.mean,
        variance: a.variance,
        scale: a.scale,
        offset: a.offset,
        variance_epsilon: a.variance_epsilon as f32,
    };
    batch_norm(a.x, &p, a.out)?;
    Ok(Ret::Undefined)
}
