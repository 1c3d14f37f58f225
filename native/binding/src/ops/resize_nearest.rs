//! `resizeNearest`: ResizeNearestNeighbor, NHWC.
use super::ResizeNearestArgs;
use crate::args::{BindResult, Ret};
use cat_kernels::resize_nearest::{resize_nearest, ResizeGeometry};

/// The geometry of `dims` ([batch, inH, inW, outH, outW, channels], length checked by the reader).
pub fn geometry(d: &[usize], align_corners: bool, half_pixel_centers: bool) -> ResizeGeometry {
    ResizeGeometry { batch: d[0], in_h: d[1], in_w: d[2], out_h: d[3], out_w: d[4], channels: d[5], align_corners, half_pixel_centers }
}

pub fn run(a: ResizeNearestArgs) -> BindResult<Ret> {
    resize_nearest(a.images, &geometry(&a.dims, a.align_corners, a.half_pixel_centers), a.out)?;
    Ok(Ret::Undefined)
}
