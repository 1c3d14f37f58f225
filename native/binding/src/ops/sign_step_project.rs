//! `signStepProject(xAdv, grad, x, out, alpha, eps)`: one fused L-inf attack step.
use crate::args::{Args, BindResult, Ret};

pub fn run(a: &Args) -> BindResult<Ret> {
    let (x_adv, grad, x) = (a.f32s(0, "xAdv")?, a.f32s(1, "grad")?, a.f32s(2, "x")?);
    let out = a.f32s_mut(3, "out")?;
    let (alpha, eps) = (a.f64(4, "alpha")? as f32, a.f64(5, "eps")? as f32);
    cat_kernels::sign_step_project::sign_step_project(x_adv, grad, x, alpha, eps, out)?;
    Ok(Ret::Undefined)
}
