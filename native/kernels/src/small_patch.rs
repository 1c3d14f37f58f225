//! Direct loops for convolutions with tiny patches (`kh * kw * cin` <= [`SMALL_PATCH`], e.g. the
//! first layer of an MNIST or CIFAR net, cin 1 or 3). GEMM libraries run such skinny problems
//! (K = 9) at a fraction of their peak, and per-image GEMM calls add overhead, so these loops
//! vectorise over output channels instead.
use crate::conv_geometry::Conv2dGeometry;

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

/// Dot product with eight independent accumulators, so it vectorises without fast-math.
#[inline]
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0.0f32; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        let (x, y): (&[f32; 8], &[f32; 8]) = (x.try_into().unwrap(), y.try_into().unwrap());
        for i in 0..8 {
            acc[i] += x[i] * y[i];
        }
    }
    let mut s = acc.iter().sum::<f32>();
    for (x, y) in ra.iter().zip(rb) {
        s += x * y;
    }
    s
}

/// Input gradient of one image: `dx_image += sum over taps of dy[r, :] . w[t, :]`, scattered
/// straight onto the input pixels (no column buffer). `dx_image` must be zeroed by the caller.
pub fn small_patch_backprop_input_image(g: &Conv2dGeometry, dy_image: &[f32], w: &[f32], dx_image: &mut [f32]) {
    let (cin, cout) = (g.in_c, g.out_c);
    for oy in 0..g.out_h {
        for ox in 0..g.out_w {
            let dy_row = &dy_image[(oy * g.out_w + ox) * cout..(oy * g.out_w + ox + 1) * cout];
            for ky in 0..g.filter_h {
                let Some(iy) = (oy * g.stride_h + ky * g.dilation_h).checked_sub(g.pad_top).filter(|&v| v < g.in_h) else {
                    continue;
                };
                for kx in 0..g.filter_w {
                    let Some(ix) = (ox * g.stride_w + kx * g.dilation_w).checked_sub(g.pad_left).filter(|&v| v < g.in_w)
                    else {
                        continue;
                    };
                    let tap = (ky * g.filter_w + kx) * cin;
                    let dst = &mut dx_image[(iy * g.in_w + ix) * cin..(iy * g.in_w + ix + 1) * cin];
                    for (ci, d) in dst.iter_mut().enumerate() {
                        *d += dot(dy_row, &w[(tap + ci) * cout..(tap + ci + 1) * cout]);
                    }
                }
            }
        }
    }
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
    fn dot_handles_remainders() {
        let a = random_vec(21, 3);
        let b = random_vec(21, 4);
        let want: f32 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
        assert!((dot(&a, &b) - want).abs() < 1e-5);
    }
}
