//! `conv2d`: Conv2D / FusedConv2D.
use super::{conv_args::geometry, Conv2dArgs};
use crate::args::{BindResult, Ret};
use cat_kernels::{conv2d::conv2d, Activation};

pub fn run(a: Conv2dArgs) -> BindResult<Ret> {
    let act = Activation::parse(&a.activation, a.leaky_alpha as f32)?;
    conv2d(&geometry(&a.geometry)?, a.x, a.filter, a.bias, act, a.out)?;
    Ok(Ret::Undefined)
}
