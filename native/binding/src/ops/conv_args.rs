//! The convolution geometry as JS passes it: an array of 15 integers, in the order of
//! [`GEOMETRY_FIELDS`] (tfjs's `Conv2DInfo`, already resolved by `backend_util.computeConv2DInfo`).
use crate::args::{Args, BindResult};
use cat_kernels::Conv2dGeometry;

/// Names of the geometry array's entries, in order (mirrored in packages/core/src/backend/native-addon.ts).
pub const GEOMETRY_FIELDS: [&str; 15] = [
    "batch", "inH", "inW", "inC", "filterH", "filterW", "outC", "strideH", "strideW",
    "dilationH", "dilationW", "padTop", "padLeft", "outH", "outW",
];

pub fn geometry(args: &Args, i: usize) -> BindResult<Conv2dGeometry> {
    let v = args.usizes(i, "geometry", GEOMETRY_FIELDS.len())?;
    let g = Conv2dGeometry {
        batch: v[0],
        in_h: v[1],
        in_w: v[2],
        in_c: v[3],
        filter_h: v[4],
        filter_w: v[5],
        out_c: v[6],
        stride_h: v[7],
        stride_w: v[8],
        dilation_h: v[9],
        dilation_w: v[10],
        pad_top: v[11],
        pad_left: v[12],
        out_h: v[13],
        out_w: v[14],
    };
    g.validate()?;
    Ok(g)
}
