//! `conv2dBackpropInput`: Conv2D's input gradient, with ReLU's gradient fused when `reluOf` is given.
use super::{conv_args::geometry, Conv2dBackpropInputArgs};
use crate::args::{BindResult, Ret};
use cat_kernels::conv2d_backprop_input::conv2d_backprop_input_relu;

pub fn run(a: Conv2dBackpropInputArgs) -> BindResult<Ret> {
    conv2d_backprop_input_relu(&geometry(&a.geometry)?, a.dy, a.filter, a.relu_of, a.dx)?;
    Ok(Ret::Undefined)
}
