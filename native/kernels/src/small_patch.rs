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

/// Rows computed together: their accumulators are independent FMA chains, so the FMA latency
/// (4 cycles) is hidden, and each filter load serves all of them. One chain per row left the
/// first MNIST layer at ~16 GFLOP/cpu-s.
const ROWS: usize = 4;

/// `out[r, co] = sum_t col[r, t] * w[t, co]` for rows of `k` values, channels `c0..c0 + LANES`.
#[inline]
fn lanes_block<const R: usize>(rows: &[f32], w: &[f32], k: usize, n: usize, c0: usize, out: &mut [f32]) {
    // Fixed-size accumulators the compiler keeps in registers across all taps, instead of
    // loading and storing the outputs once per tap.
    let mut acc = [[0.0f32; LANES]; R];
    for t in 0..k {
        let wr: &[f32; LANES] = w[t * n + c0..t * n + c0 + LANES].try_into().unwrap();
        for (r, acc_r) in acc.iter_mut().enumerate() {
            let a = rows[r * k + t];
            for i in 0..LANES {
                acc_r[i] += a * wr[i];
            }
        }
    }
    for (r, acc_r) in acc.iter().enumerate() {
        out[r * n + c0..r * n + c0 + LANES].copy_from_slice(acc_r);
    }
}

/// `out[r, co] = sum_t col[r, t] * w[t, co]` for a block of im2col rows (`k` values each).
pub fn small_k_gemm(col: &[f32], w: &[f32], k: usize, n: usize, out: &mut [f32]) {
    let full = n / LANES * LANES;
    let blocked = col.len() / (k * ROWS) * ROWS;
    for (rows, o) in col[..blocked * k].chunks_exact(k * ROWS).zip(out.chunks_exact_mut(n * ROWS)) {
        for c0 in (0..full).step_by(LANES) {
            lanes_block::<ROWS>(rows, w, k, n, c0, o);
        }
    }
    for (row, o) in col[blocked * k..].chunks_exact(k).zip(out[blocked * n..].chunks_exact_mut(n)) {
        for c0 in (0..full).step_by(LANES) {
            lanes_block::<1>(row, w, k, n, c0, o);
        }
    }
    if full < n {
        for (row, o) in col.chunks_exact(k).zip(out.chunks_exact_mut(n)) {
            for c in full..n {
                o[c] = row.iter().enumerate().map(|(t, &a)| a * w[t * n + c]).sum();
            }
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

/// `dcol[p][0..KP] = sum_co dy_p[co] * wt[co, 0..KP]` for `P` output pixels at once (`dy_rows`
/// holds their `cout`-long gradient rows back to back), accumulated in registers: `P`
/// independent FMA chains share every filter load (one chain left the first MNIST layer's input
/// gradient latency-bound).
#[inline]
fn patch_gradients<const KP: usize, const P: usize>(dy_rows: &[f32], cout: usize, wt: &[f32]) -> [[f32; KP]; P] {
    let mut acc = [[0.0f32; KP]; P];
    for co in 0..cout {
        // No skipping of zero gradients: ReLU zeros fall in random patterns, and the mispredicted
        // branch cost more than the multiply-adds it saved.
        let wr: &[f32; KP] = wt[co * KP..(co + 1) * KP].try_into().unwrap();
        for (p, acc_p) in acc.iter_mut().enumerate() {
            let d = dy_rows[p * cout + co];
            for i in 0..KP {
                acc_p[i] += d * wr[i];
            }
        }
    }
    acc
}

/// Adds one output pixel's patch gradient onto the input pixels its taps read.
#[inline]
fn scatter_patch(g: &Conv2dGeometry, (ytab, xtab): (&[usize], &[usize]), oy: usize, ox: usize, dcol: &[f32], dx_image: &mut [f32]) {
    let cin = g.in_c;
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

/// Output pixels whose patch gradients are computed together (see `patch_gradients`).
const PIXELS: usize = 4;

fn backprop_image<const KP: usize>(
    g: &Conv2dGeometry,
    tabs: (&[usize], &[usize]),
    dy_image: &[f32],
    wt: &[f32],
    dx_image: &mut [f32],
) {
    let cout = g.out_c;
    for oy in 0..g.out_h {
        let dy_line = &dy_image[oy * g.out_w * cout..(oy + 1) * g.out_w * cout];
        let mut ox = 0;
        while ox + PIXELS <= g.out_w {
            let dcols = patch_gradients::<KP, PIXELS>(&dy_line[ox * cout..(ox + PIXELS) * cout], cout, wt);
            for (p, dcol) in dcols.iter().enumerate() {
                scatter_patch(g, tabs, oy, ox + p, dcol, dx_image);
            }
            ox += PIXELS;
        }
        for ox in ox..g.out_w {
            let [dcol] = patch_gradients::<KP, 1>(&dy_line[ox * cout..(ox + 1) * cout], cout, wt);
            scatter_patch(g, tabs, oy, ox, &dcol, dx_image);
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
        // 13 rows: three blocks of ROWS and a remainder; 35 channels: two LANES blocks and a tail.
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
