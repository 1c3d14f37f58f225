//! Test helpers: deterministic random data, naive reference loops, tolerant comparison.
#![cfg(test)]

/// Deterministic values in [-1, 1) (xorshift), so failures reproduce.
pub fn random_vec(len: usize, seed: u64) -> Vec<f32> {
    let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            ((s >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
        })
        .collect()
}

/// `op(A) op(B)` by the textbook triple loop, in f64.
pub fn naive_matmul(a: &[f32], b: &[f32], m: usize, n: usize, k: usize, ta: bool, tb: bool) -> Vec<f32> {
    let mut c = vec![0.0f32; m * n];
    for i in 0..m {
        for j in 0..n {
            let mut acc = 0.0f64;
            for p in 0..k {
                let av = if ta { a[p * m + i] } else { a[i * k + p] };
                let bv = if tb { b[j * k + p] } else { b[p * n + j] };
                acc += av as f64 * bv as f64;
            }
            c[i * n + j] = acc as f32;
        }
    }
    c
}

/// Asserts `|got - want| <= tol * max(1, |want|)` element-wise.
pub fn assert_close(got: &[f32], want: &[f32], tol: f32) {
    assert_eq!(got.len(), want.len(), "length differs");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        let err = (g - w).abs() / w.abs().max(1.0);
        assert!(err <= tol, "index {i}: got {g}, want {w} (relative error {err})");
    }
}

use crate::conv_geometry::Conv2dGeometry;

/// Visits every (output index, input index, filter index) triple of a convolution.
fn for_each_tap(g: &Conv2dGeometry, mut f: impl FnMut(usize, usize, usize)) {
    for n in 0..g.batch {
        for oy in 0..g.out_h {
            for ox in 0..g.out_w {
                for ky in 0..g.filter_h {
                    for kx in 0..g.filter_w {
                        let iy = (oy * g.stride_h + ky * g.dilation_h) as isize - g.pad_top as isize;
                        let ix = (ox * g.stride_w + kx * g.dilation_w) as isize - g.pad_left as isize;
                        if iy < 0 || ix < 0 || iy >= g.in_h as isize || ix >= g.in_w as isize {
                            continue;
                        }
                        for ci in 0..g.in_c {
                            for co in 0..g.out_c {
                                let o = ((n * g.out_h + oy) * g.out_w + ox) * g.out_c + co;
                                let i = ((n * g.in_h + iy as usize) * g.in_w + ix as usize) * g.in_c + ci;
                                let w = ((ky * g.filter_w + kx) * g.in_c + ci) * g.out_c + co;
                                f(o, i, w);
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Convolution by its definition, in f64.
pub fn naive_conv2d(g: &Conv2dGeometry, x: &[f32], w: &[f32]) -> Vec<f32> {
    let mut out = vec![0.0f64; g.output_len()];
    for_each_tap(g, |o, i, k| out[o] += x[i] as f64 * w[k] as f64);
    out.into_iter().map(|v| v as f32).collect()
}

/// Gradient of the convolution's output against its input, by definition.
pub fn naive_conv2d_dx(g: &Conv2dGeometry, dy: &[f32], w: &[f32]) -> Vec<f32> {
    let mut dx = vec![0.0f64; g.input_len()];
    for_each_tap(g, |o, i, k| dx[i] += dy[o] as f64 * w[k] as f64);
    dx.into_iter().map(|v| v as f32).collect()
}

/// Gradient of the convolution's output against its filter, by definition.
pub fn naive_conv2d_dw(g: &Conv2dGeometry, x: &[f32], dy: &[f32]) -> Vec<f32> {
    let mut dw = vec![0.0f64; g.filter_len()];
    for_each_tap(g, |o, i, k| dw[k] += dy[o] as f64 * x[i] as f64);
    dw.into_iter().map(|v| v as f32).collect()
}
