//! Direct loops for convolutions with tiny patches (`kh * kw * cin` <= [`SMALL_PATCH`], e.g. the
//! first layer of an MNIST or CIFAR net, cin 1 or 3). GEMM libraries run such skinny problems
//! (K = 9) at a fraction of their peak, and per-image GEMM calls add overhead, so these loops
//! vectorise over output channels instead.
use crate::conv_geometry::Conv2dGeometry;
use rayon::prelude::*;

/// Patches up to this many values take the direct path.
pub const SMALL_PATCH: usize = 32;

/// Output channels handled per register-resident accumulator block.
const LANES: usize = 16;

/// `out[r, co] = sum_t col[r, t] * w[t, co]` for a block of im2col rows (`k` values each).
pub fn small_k_gemm(col: &[f32], w: &[f32], k: usize, n: usize, out: &mut [f32]) {
    let full = n / LANES * LANES;
    for (row, o) in col.chunks_exact(k).zip(out.chunks_exact_mut(n)) {
        // Accumulate LANES channels in a fixed-size array the compiler keeps in registers across
        // all taps, instead of loading and storing the output row once per tap.
        for c0 in (0..full).step_by(LANES) {
            let mut acc = [0.0f32; LANES];
            for (t, &a) in row.iter().enumerate() {
                let wr: &[f32; LANES] = w[t * n + c0..t * n + c0 + LANES].try_into().unwrap();
                for i in 0..LANES {
                    acc[i] += a * wr[i];
                }
            }
            o[c0..c0 + LANES].copy_from_slice(&acc);
        }
        for c in full..n {
            o[c] = row.iter().enumerate().map(|(t, &a)| a * w[t * n + c]).sum();
        }
    }
}

/// Marks a tap that falls into the padding.
const OUTSIDE: usize = usize::MAX;

/// Input coordinate of every (output position, filter tap) pair along one axis, `OUTSIDE` where
/// it falls into the padding: computed once a call instead of once a tap.
fn coord_table(out: usize, taps: usize, stride: usize, dilation: usize, pad: usize, size: usize) -> Vec<usize> {
    let mut t = vec![OUTSIDE; out * taps];
    for o in 0..out {
        for k in 0..taps {
            if let Some(p) = (o * stride + k * dilation).checked_sub(pad).filter(|&p| p < size) {
                t[o * taps + k] = p;
            }
        }
    }
    t
}

/// The filter transposed to `[cout, kp]`, each row zero-padded from K to `kp` values.
fn transposed_padded(w: &[f32], k: usize, cout: usize, kp: usize) -> Vec<f32> {
    let mut wt = vec![0.0f32; cout * kp];
    for t in 0..k {
        for co in 0..cout {
            wt[co * kp + t] = w[t * cout + co];
        }
    }
    wt
}

/// `dcol[0..KP] = sum_co dy[co] * wt[co, 0..KP]`, accumulated in registers (KP is a constant).
#[inline]
fn patch_gradient<const KP: usize>(dy_row: &[f32], wt: &[f32]) -> [f32; KP] {
    let mut acc = [0.0f32; KP];
    for (co, &d) in dy_row.iter().enumerate() {
        // No skipping of zero gradients: ReLU zeros fall in random patterns, and the mispredicted
        // branch cost more than the multiply-adds it saved.
        let wr: &[f32; KP] = wt[co * KP..(co + 1) * KP].try_into().unwrap();
        for i in 0..KP {
            acc[i] += d * wr[i];
        }
    }
    acc
}

fn backprop_image<const KP: usize>(
    g: &Conv2dGeometry,
    (ytab, xtab): (&[usize], &[usize]),
    dy_image: &[f32],
    wt: &[f32],
    dx_image: &mut [f32],
) {
    let (cin, cout) = (g.in_c, g.out_c);
    for oy in 0..g.out_h {
        for ox in 0..g.out_w {
            let dy_row = &dy_image[(oy * g.out_w + ox) * cout..(oy * g.out_w + ox + 1) * cout];
            let dcol = patch_gradient::<KP>(dy_row, wt);
            for ky in 0..g.filter_h {
                let iy = ytab[oy * g.filter_h + ky];
                if iy == OUTSIDE {
                    continue;
                }
                for kx in 0..g.filter_w {
                    let ix = xtab[ox * g.filter_w + kx];
                    if ix == OUTSIDE {
                        continue;
                    }
                    let tap = (ky * g.filter_w + kx) * cin;
                    let dst = &mut dx_image[(iy * g.in_w + ix) * cin..(iy * g.in_w + ix + 1) * cin];
                    for (d, v) in dst.iter_mut().zip(&dcol[tap..tap + cin]) {
                        *d += v;
                    }
                }
            }
        }
    }
}

/// Input gradient for small patches: per output pixel, the patch's gradient `dy[r, :] x W^T`
/// is accumulated in registers (filter transposed and padded to 8/16/24/32 values), then
/// scattered straight onto the input pixels (no column buffer). `dx` is fully overwritten.
pub fn small_patch_backprop_input(g: &Conv2dGeometry, dy: &[f32], w: &[f32], dx: &mut [f32]) {
    let (k, cout) = (g.patch_len(), g.out_c);
    assert!(k <= SMALL_PATCH, "small_patch_backprop_input: patch of {k} values");
    let kp = k.div_ceil(8) * 8;
    let wt = transposed_padded(w, k, cout, kp);
    let pixels = g.out_h * g.out_w;
    let image_len = g.in_h * g.in_w * g.in_c;
    let ytab = coord_table(g.out_h, g.filter_h, g.stride_h, g.dilation_h, g.pad_top, g.in_h);
    let xtab = coord_table(g.out_w, g.filter_w, g.stride_w, g.dilation_w, g.pad_left, g.in_w);
    let tabs = (&ytab[..], &xtab[..]);
    dx.par_chunks_mut(image_len).enumerate().for_each(|(n, dx_image)| {
        dx_image.fill(0.0);
        let dy_image = &dy[n * pixels * cout..(n + 1) * pixels * cout];
        match kp {
            8 => backprop_image::<8>(g, tabs, dy_image, &wt, dx_image),
            16 => backprop_image::<16>(g, tabs, dy_image, &wt, dx_image),
            24 => backprop_image::<24>(g, tabs, dy_image, &wt, dx_image),
            _ => backprop_image::<32>(g, tabs, dy_image, &wt, dx_image),
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{assert_close, naive_matmul, random_vec};

    #[test]
    fn small_k_gemm_matches_naive_including_zeros() {
        let (m, n, k) = (13, 35, 9);
        let mut a = random_vec(m * k, 1);
        a[3] = 0.0;
        a[40] = 0.0;
        let b = random_vec(k * n, 2);
        let mut out = vec![f32::NAN; m * n];
        small_k_gemm(&a, &b, k, n, &mut out);
        assert_close(&out, &naive_matmul(&a, &b, m, n, k, false, false), 1e-5);
    }

    #[test]
    fn transposed_padded_layout() {
        // w [k=2, cout=3] -> wt [3, 8], zero beyond k.
        let wt = transposed_padded(&[1., 2., 3., 4., 5., 6.], 2, 3, 8);
        assert_eq!(&wt[0..3], &[1., 4., 0.]);
        assert_eq!(&wt[8..10], &[2., 5.]);
        assert_eq!(wt[17], 6.0);
        assert!(wt[18..24].iter().all(|&v| v == 0.0));
    }
}
