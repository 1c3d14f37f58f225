//! `conv2dBackpropInput(dy, filter, dx, geometry)`: gradient of Conv2D against its input.
use super::conv_args::geometry;
use crate::args::{Args, BindResult, Ret};
use cat_kernels::conv2d_backprop_input::conv2d_backprop_input;

pub fn run(a: &Args) -> BindResult<Ret> {
    let dy = a.f32s(0, "dy")?;
    let w = a.f32s(1, "filter")?;
    let dx = a.f32s_mut(2, "dx")?;
    let g = geometry(a, 3)?;
    conv2d_backprop_input(&g, dy, w, dx)?;
    Ok(Ret::Undefined)
}
