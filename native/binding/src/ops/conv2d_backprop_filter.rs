//! `conv2dBackpropFilter(x, dy, dw, geometry)`: gradient of Conv2D against its filter.
use super::conv_args::geometry;
use crate::args::{Args, BindResult, Ret};
use cat_kernels::conv2d_backprop_filter::conv2d_backprop_filter;

pub fn run(a: &Args) -> BindResult<Ret> {
    let x = a.f32s(0, "x")?;
    let dy = a.f32s(1, "dy")?;
    let dw = a.f32s_mut(2, "dw")?;
    let g = geometry(a, 3)?;
    conv2d_backprop_filter(&g, x, dy, dw)?;
    Ok(Ret::Undefined)
}
