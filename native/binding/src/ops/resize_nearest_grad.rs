//! `resizeNearestGrad`: the adjoint of `resizeNearest`.
use super::{resize_nearest::geometry, ResizeNearestGradArgs};
use crate::args::{BindResult, Ret};

pub fn run(a: ResizeNearestGradArgs) -> BindResult<Ret> {
    let g = geometry(&a.dims, a.align_corners, a.half_pixel_centers);
    cat_kernels::resize_nearest::resize_nearest_grad(a.dy, &g, a.dx)?;
    Ok(Ret::Undefined)
}
