//! im2col and col2im for NHWC convolutions. Row `r` of the column matrix is output pixel
//! `r = (n * out_h + oy) * out_w + ox`; its `kh * kw * cin` values follow the filter's layout,
//! so `columns [M, K] x filter [K, cout]` is the convolution.
use crate::conv_geometry::Conv2dGeometry;

/// Input coordinate of output `o`, filter tap `k`, or `None` where it falls in the padding.
#[inline]
fn input_coord(o: usize, k: usize, stride: usize, dilation: usize, pad: usize, size: usize) -> Option<usize> {
    let pos = (o * stride + k * dilation).checked_sub(pad)?;
    (pos < size).then_some(pos)
}

/// Fills `col[rows * K]` with the patches of output rows `row0 .. row0 + rows`.
pub fn im2col_rows(g: &Conv2dGeometry, x: &[f32], row0: usize, rows: usize, col: &mut [f32]) {
    let k = g.patch_len();
    let cin = g.in_c;
    let per_image = g.out_h * g.out_w;
    for (r, dst) in col[..rows * k].chunks_exact_mut(k).enumerate() {
        let global = row0 + r;
        let n = global / per_image;
        let oy = (global % per_image) / g.out_w;
        let ox = global % g.out_w;
        let image = &x[n * g.in_h * g.in_w * cin..(n + 1) * g.in_h * g.in_w * cin];
        for ky in 0..g.filter_h {
            let iy = input_coord(oy, ky, g.stride_h, g.dilation_h, g.pad_top, g.in_h);
            for kx in 0..g.filter_w {
                let d = &mut dst[(ky * g.filter_w + kx) * cin..(ky * g.filter_w + kx + 1) * cin];
                match (iy, input_coord(ox, kx, g.stride_w, g.dilation_w, g.pad_left, g.in_w)) {
                    (Some(iy), Some(ix)) => {
                        let src = (iy * g.in_w + ix) * cin;
                        if cin == 1 {
                            // A one-float memcpy call per tap dominated the first MNIST layer.
                            d[0] = image[src];
                        } else {
                            d.copy_from_slice(&image[src..src + cin]);
                        }
                    }
                    _ => d.fill(0.0),
                }
            }
        }
    }
}

/// Scatter-adds the column matrix of one image, `col[out_h * out_w, K]`, into `dx_image`
/// (`[in_h, in_w, cin]`, zeroed by the caller): the adjoint of [`im2col_rows`].
pub fn col2im_image(g: &Conv2dGeometry, col: &[f32], dx_image: &mut [f32]) {
    let k = g.patch_len();
    let cin = g.in_c;
    for oy in 0..g.out_h {
        for ox in 0..g.out_w {
            let src_row = &col[(oy * g.out_w + ox) * k..(oy * g.out_w + ox + 1) * k];
            for ky in 0..g.filter_h {
                let Some(iy) = input_coord(oy, ky, g.stride_h, g.dilation_h, g.pad_top, g.in_h) else {
                    continue;
                };
                for kx in 0..g.filter_w {
                    let Some(ix) = input_coord(ox, kx, g.stride_w, g.dilation_w, g.pad_left, g.in_w) else {
                        continue;
                    };
                    let dst = &mut dx_image[(iy * g.in_w + ix) * cin..(iy * g.in_w + ix + 1) * cin];
                    let src = &src_row[(ky * g.filter_w + kx) * cin..(ky * g.filter_w + kx + 1) * cin];
                    for (d, s) in dst.iter_mut().zip(src) {
                        *d += s;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conv_geometry::{ConvShape, Padding};

    #[test]
    fn patches_of_a_hand_checked_image() {
        // 1x3x3x1 image 1..9, 2x2 filter, VALID, stride 1: four patches.
        let s = ConvShape {
            batch: 1, in_h: 3, in_w: 3, in_c: 1, filter_h: 2, filter_w: 2, out_c: 1,
            stride_h: 1, stride_w: 1, dilation_h: 1, dilation_w: 1,
        };
        let g = Conv2dGeometry::new(s, Padding::Valid).unwrap();
        let x: Vec<f32> = (1..=9).map(|v| v as f32).collect();
        let mut col = vec![0.0; 16];
        im2col_rows(&g, &x, 0, 4, &mut col);
        assert_eq!(col, vec![1., 2., 4., 5., 2., 3., 5., 6., 4., 5., 7., 8., 5., 6., 8., 9.]);
        // col2im of all-ones counts how many patches cover each pixel.
        let mut dx = vec![0.0; 9];
        col2im_image(&g, &vec![1.0; 16], &mut dx);
        assert_eq!(dx, vec![1., 2., 1., 2., 4., 2., 1., 2., 1.]);
    }

    #[test]
    fn same_padding_zero_fills() {
        let s = ConvShape {
            batch: 1, in_h: 2, in_w: 2, in_c: 1, filter_h: 3, filter_w: 3, out_c: 1,
            stride_h: 1, stride_w: 1, dilation_h: 1, dilation_w: 1,
        };
        let g = Conv2dGeometry::new(s, Padding::Same).unwrap();
        let mut col = vec![9.0; 9];
        im2col_rows(&g, &[1., 2., 3., 4.], 0, 1, &mut col);
        assert_eq!(col, vec![0., 0., 0., 0., 1., 2., 0., 3., 4.]);
    }
}
