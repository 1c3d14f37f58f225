//! Nearest-neighbour resize of NHWC images and its gradient, with tfjs's CPU index rules
//! (`alignCorners` rounds, otherwise floors; `halfPixelCenters` samples at pixel centres). The
//! gradient is the exact adjoint of the forward pass: each `dy` pixel is added onto the source
//! pixel the forward pass read.
//!
//! Deviation from tfjs 4.22 on purpose: tfjs's CPU `ResizeNearestNeighborGrad` offsets `dy` by
//! the *input* image's batch stride (wrong for every image after the first whenever the sizes
//! differ) and ignores `halfPixelCenters`. @cat/core replaces that cpu kernel with a corrected
//! one (ops/fix-cpu-resize-nearest-grad.ts), so both backends agree on the true gradient.

use crate::error::{check_len, ensure, KernelResult};
use rayon::prelude::*;

/// Image geometry: `[batch, in_h, in_w, channels]` to `[batch, out_h, out_w, channels]`.
#[derive(Clone, Copy, Debug)]
pub struct ResizeGeometry {
    pub batch: usize,
    pub in_h: usize,
    pub in_w: usize,
    pub out_h: usize,
    pub out_w: usize,
    pub channels: usize,
    pub align_corners: bool,
    pub half_pixel_centers: bool,
}

impl ResizeGeometry {
    fn check(&self) -> KernelResult {
        ensure(self.in_h > 0 && self.in_w > 0 && self.out_h > 0 && self.out_w > 0, || {
            format!("resize_nearest: sizes must be positive, got {self:?}")
        })
    }
    fn in_len(&self) -> usize {
        self.batch * self.in_h * self.in_w * self.channels
    }
    fn out_len(&self) -> usize {
        self.batch * self.out_h * self.out_w * self.channels
    }
}

/// Ratio of effective input to output size along one axis (f64, as the JS reference).
fn ratio(inp: usize, out: usize, align: bool) -> f64 {
    let (ei, eo) = if align && out > 1 { (inp - 1, out - 1) } else { (inp, out) };
    ei as f64 / eo as f64
}

/// The source index the forward pass reads for output index `o`.
fn forward_src(o: usize, inp: usize, r: f64, align: bool, half: bool) -> usize {
    let frac = if half { r * (o as f64 + 0.5) } else { r * o as f64 };
    let idx = if align { frac.round() } else { frac.floor() };
    // With halfPixelCenters tfjs clamps below at 0; otherwise idx >= 0 already.
    (idx.max(0.0) as usize).min(inp - 1)
}

/// Forward: `out[b, i, j, c] = x[b, src(i), src(j), c]`.
pub fn resize_nearest(x: &[f32], g: &ResizeGeometry, out: &mut [f32]) -> KernelResult {
    g.check()?;
    check_len("resize_nearest: images", g.in_len(), x.len())?;
    check_len("resize_nearest: output", g.out_len(), out.len())?;
    let rh = ratio(g.in_h, g.out_h, g.align_corners);
    let rw = ratio(g.in_w, g.out_w, g.align_corners);
    let cols: Vec<usize> = (0..g.out_w).map(|j| forward_src(j, g.in_w, rw, g.align_corners, g.half_pixel_centers)).collect();
    let c = g.channels;
    let out_row = g.out_w * c;
    if out_row == 0 {
        return Ok(());
    }
    // One task per output row (b, i): rows are independent.
    out.par_chunks_mut(out_row).with_min_len(64).enumerate().for_each(|(row, o)| {
        let (b, i) = (row / g.out_h, row % g.out_h);
        let si = forward_src(i, g.in_h, rh, g.align_corners, g.half_pixel_centers);
        let src_row = &x[((b * g.in_h + si) * g.in_w) * c..((b * g.in_h + si + 1) * g.in_w) * c];
        for (j, &sj) in cols.iter().enumerate() {
            o[j * c..(j + 1) * c].copy_from_slice(&src_row[sj * c..(sj + 1) * c]);
        }
    });
    Ok(())
}

/// Gradient: `dx[b, si, sj, c] = sum of dy[b, i, j, c]` over outputs read from `(si, sj)`.
pub fn resize_nearest_grad(dy: &[f32], g: &ResizeGeometry, dx: &mut [f32]) -> KernelResult {
    g.check()?;
    check_len("resize_nearest_grad: dy", g.out_len(), dy.len())?;
    check_len("resize_nearest_grad: dx", g.in_len(), dx.len())?;
    let rh = ratio(g.in_h, g.out_h, g.align_corners);
    let rw = ratio(g.in_w, g.out_w, g.align_corners);
    let (ac, hp) = (g.align_corners, g.half_pixel_centers);
    let rows: Vec<usize> = (0..g.out_h).map(|i| forward_src(i, g.in_h, rh, ac, hp)).collect();
    let cols: Vec<usize> = (0..g.out_w).map(|j| forward_src(j, g.in_w, rw, ac, hp)).collect();
    let c = g.channels;
    let image = g.in_h * g.in_w * c;
    if image == 0 {
        return Ok(());
    }
    // One task per image: scatters stay inside the task's own image.
    dx.par_chunks_mut(image).enumerate().for_each(|(b, dxb)| {
        dxb.fill(0.0);
        for (i, &si) in rows.iter().enumerate() {
            for (j, &sj) in cols.iter().enumerate() {
                let src = &dy[((b * g.out_h + i) * g.out_w + j) * c..][..c];
                let dst = &mut dxb[(si * g.in_w + sj) * c..][..c];
                for (d, &s) in dst.iter_mut().zip(src) {
                    *d += s;
                }
            }
        }
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::random_vec;

    fn geom(batch: usize, in_h: usize, in_w: usize, out_h: usize, out_w: usize, channels: usize, ac: bool, hp: bool) -> ResizeGeometry {
        ResizeGeometry { batch, in_h, in_w, out_h, out_w, channels, align_corners: ac, half_pixel_centers: hp }
    }

    #[test]
    fn doubling_repeats_each_pixel() {
        let g = geom(1, 2, 2, 4, 4, 1, false, false);
        let mut o = [0.0f32; 16];
        resize_nearest(&[1.0, 2.0, 3.0, 4.0], &g, &mut o).unwrap();
        assert_eq!(o, [1., 1., 2., 2., 1., 1., 2., 2., 3., 3., 4., 4., 3., 3., 4., 4.]);
        let mut dx = [0.0f32; 4];
        resize_nearest_grad(&[1.0; 16], &g, &mut dx).unwrap();
        assert_eq!(dx, [4.0; 4]);
    }

    /// The JS reference loops of tfjs's CPU kernels, transcribed.
    fn js_forward(x: &[f32], g: &ResizeGeometry) -> Vec<f32> {
        let rh = ratio(g.in_h, g.out_h, g.align_corners);
        let rw = ratio(g.in_w, g.out_w, g.align_corners);
        let mut out = vec![];
        for b in 0..g.batch {
            for r in 0..g.out_h {
                let fr = if g.half_pixel_centers { rh * (r as f64 + 0.5) } else { rh * r as f64 };
                let mut sr = (g.in_h as f64 - 1.0).min(if g.align_corners { fr.round() } else { fr.floor() });
                if g.half_pixel_centers {
                    sr = sr.max(0.0);
                }
                for cc in 0..g.out_w {
                    let fc = if g.half_pixel_centers { rw * (cc as f64 + 0.5) } else { rw * cc as f64 };
                    let mut sc = (g.in_w as f64 - 1.0).min(if g.align_corners { fc.round() } else { fc.floor() });
                    if g.half_pixel_centers {
                        sc = sc.max(0.0);
                    }
                    for d in 0..g.channels {
                        out.push(x[((b * g.in_h + sr as usize) * g.in_w + sc as usize) * g.channels + d]);
                    }
                }
            }
        }
        out
    }

    /// The adjoint of `js_forward`: scatter each dy value onto the pixel the forward read.
    fn naive_adjoint(dy: &[f32], g: &ResizeGeometry) -> Vec<f32> {
        let ones: Vec<f32> = (0..g.in_len()).map(|i| i as f32).collect();
        let src_index = js_forward(&ones, g);
        let mut dx = vec![0.0f32; g.in_len()];
        for (k, &s) in src_index.iter().enumerate() {
            dx[s as usize] += dy[k];
        }
        dx
    }

    #[test]
    fn matches_js_forward_and_its_adjoint_on_odd_shapes() {
        // The mask nets' 14->28 and 4->32, plus non-square, downsampling and odd channels.
        let cases = [
            (2, 14, 14, 28, 28, 3),
            (1, 4, 4, 32, 32, 5),
            (3, 5, 7, 11, 6, 7),
            (1, 9, 6, 4, 3, 2),
            (2, 1, 3, 3, 5, 1),
        ];
        for (b, ih, iw, oh, ow, c) in cases {
            for (ac, hp) in [(false, false), (true, false), (false, true)] {
                let g = geom(b, ih, iw, oh, ow, c, ac, hp);
                let x = random_vec(g.in_len(), 1);
                let mut o = vec![0.0; g.out_len()];
                resize_nearest(&x, &g, &mut o).unwrap();
                assert_eq!(o, js_forward(&x, &g), "forward {g:?}");
                let dy = random_vec(g.out_len(), 2);
                let mut dx = vec![0.0; g.in_len()];
                resize_nearest_grad(&dy, &g, &mut dx).unwrap();
                let want = naive_adjoint(&dy, &g);
                for (a, w) in dx.iter().zip(&want) {
                    assert!((a - w).abs() < 1e-5, "grad {g:?}: {a} vs {w}");
                }
                // Adjointness: <resize(x), dy> == <x, grad(dy)>.
                let lhs: f64 = o.iter().zip(&dy).map(|(a, b)| (*a as f64) * (*b as f64)).sum();
                let rhs: f64 = x.iter().zip(&dx).map(|(a, b)| (*a as f64) * (*b as f64)).sum();
                assert!((lhs - rhs).abs() < 1e-3 * (1.0 + lhs.abs()), "adjoint {g:?}: {lhs} vs {rhs}");
            }
        }
    }

    #[test]
    fn zero_size_is_an_error() {
        let g = geom(1, 0, 2, 2, 2, 1, false, false);
        assert!(resize_nearest(&[], &g, &mut [0.0; 4]).is_err());
    }
}
