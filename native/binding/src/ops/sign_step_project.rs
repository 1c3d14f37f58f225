//! `signStepProject`: the fused PGD step `clip(clip(xAdv + alpha sign(grad), x +- eps), 0, 1)`.
use super::SignStepProjectArgs;
use crate::args::{BindResult, Ret};

pub fn run(a: SignStepProjectArgs) -> BindResult<Ret> {
    cat_kernels::sign_step_project::sign_step_project(a.x_adv, a.grad, a.x, a.alpha as f32, a.eps as f32, a.out)?;
    Ok(Ret::Undefined)
}
