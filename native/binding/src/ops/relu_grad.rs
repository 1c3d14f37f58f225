//! `reluGrad(dy, x, dx, alpha)`: gradient of ReLU (alpha 0) and LeakyReLU.
use crate::args::{Args, BindResult, Ret};

pub fn run(a: &Args) -> BindResult<Ret> {
    let (dy, x, dx) = (a.f32s(0, "dy")?, a.f32s(1, "x")?, a.f32s_mut(2, "dx")?);
    cat_kernels::relu_grad::relu_grad(dy, x, a.f64(3, "alpha")? as f32, dx)?;
    Ok(Ret::Undefined)
}
