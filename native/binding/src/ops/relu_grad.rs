//! `reluGrad`: the gradient of ReLU and LeakyReLU.
use super::ReluGradArgs;
use crate::args::{BindResult, Ret};

pub fn run(a: ReluGradArgs) -> BindResult<Ret> {
    cat_kernels::relu_grad::relu_grad(a.dy, a.x, a.alpha as f32, a.dx)?;
    Ok(Ret::Undefined)
}
