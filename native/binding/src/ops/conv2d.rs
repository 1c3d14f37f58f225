//! `conv2d(x, filter, bias | null, out, geometry, activation, leakyAlpha)`: Conv2D / FusedConv2D.
use super::conv_args::geometry;
use crate::args::{Args, BindResult, Ret};
use cat_kernels::{conv2d::conv2d, Activation};

pub fn run(a: &Args) -> BindResult<Ret> {
    let x = a.f32s(0, "x")?;
    let w = a.f32s(1, "filter")?;
    let bias = a.opt_f32s(2, "bias")?;
    let out = a.f32s_mut(3, "out")?;
    let g = geometry(a, 4)?;
    let act = Activation::parse(&a.string(5, "activation")?, a.f64(6, "leakyAlpha")? as f32)?;
    conv2d(&g, x, w, bias, act, out)?;
    Ok(Ret::Undefined)
}
