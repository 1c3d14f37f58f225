//! `resizeNearestGrad(dy, dx, [batch, inH, inW, outH, outW, channels], alignCorners,
//! halfPixelCenters)`: ResizeNearestNeighborGrad, the exact adjoint of `resizeNearest`.
use super::resize_nearest::geometry;
use crate::args::{Args, BindResult, Ret};

pub fn run(a: &Args) -> BindResult<Ret> {
    let (dy, dx) = (a.f32s(0, "dy")?, a.f32s_mut(1, "dx")?);
    let g = geometry(a, 2, a.bool(4, "halfPixelCenters")?)?;
    cat_kernels::resize_nearest::resize_nearest_grad(dy, &g, dx)?;
    Ok(Ret::Undefined)
}
