//! `conv2dBackpropInput(dy, filter, dx, geometry, reluOf?)`: gradient of Conv2D against its input;
//! with `reluOf` (the conv's input, a ReLU output), ReLU's gradient is applied to it as well.
use super::conv_args::geometry;
use crate::args::{Args, BindResult, Ret};
use cat_kernels::conv2d_backprop_input::conv2d_backprop_input_relu;

pub fn run(a: &Args) -> BindResult<Ret> {
    let dy = a.f32s(0, "dy")?;
    let w = a.f32s(1, "filter")?;
    let dx = a.f32s_mut(2, "dx")?;
    let g = geometry(a, 3)?;
    let relu_of = a.opt_f32s(4, "reluOf")?;
    conv2d_backprop_input_relu(&g, dy, w, relu_of, dx)?;
    Ok(Ret::Undefined)
}
