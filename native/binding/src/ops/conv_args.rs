//! The conv functions' `geometry` argument: 15 integers, batch, inH, inW, inC, filterH, filterW,
//! outC, strideH, strideW, dilationH, dilationW, padTop, padLeft, outH, outW (the array that
//! packages/core/src/backend/conv-geometry.ts builds).
use crate::args::BindResult;
use cat_kernels::Conv2dGeometry;

/// The geometry in `v` (its length is checked by the argument reader), validated.
pub fn geometry(v: &[usize]) -> BindResult<Conv2dGeometry> {
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
