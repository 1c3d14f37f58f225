//! `conv2dBackpropFilter`: Conv2D's filter gradient.
use super::{conv_args::geometry, Conv2dBackpropFilterArgs};
use crate::args::{BindResult, Ret};
use cat_kernels::conv2d_backprop_filter::conv2d_backprop_filter;

pub fn run(a: Conv2dBackpropFilterArgs) -> BindResult<Ret> {
    conv2d_backprop_filter(&geometry(&a.geometry)?, a.x, a.dy, a.dw)?;
    Ok(Ret::Undefined)
}
