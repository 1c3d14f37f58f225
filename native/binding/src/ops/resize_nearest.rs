//! `resizeNearest(images, out, [batch, inH, inW, outH, outW, channels], alignCorners,
//! halfPixelCenters)`: ResizeNearestNeighbor on NHWC.
use crate::args::{Args, BindResult, Ret};
use cat_kernels::resize_nearest::{resize_nearest, ResizeGeometry};

/// Reads the `[batch, inH, inW, outH, outW, channels]` array at argument `i` and
/// `alignCorners` at `i + 1`.
pub fn geometry(a: &Args, i: usize, half_pixel_centers: bool) -> BindResult<ResizeGeometry> {
    let d = a.usizes(i, "dims [batch, inH, inW, outH, outW, channels]", 6)?;
    Ok(ResizeGeometry {
        batch: d[0],
        in_h: d[1],
        in_w: d[2],
        out_h: d[3],
        out_w: d[4],
        channels: d[5],
        align_corners: a.bool(i + 1, "alignCorners")?,
        half_pixel_centers,
    })
}

pub fn run(a: &Args) -> BindResult<Ret> {
    let (x, out) = (a.f32s(0, "images")?, a.f32s_mut(1, "out")?);
    let g = geometry(a, 2, a.bool(4, "halfPixelCenters")?)?;
    resize_nearest(x, &g, out)?;
    Ok(Ret::Undefined)
}
