//! Row-wise softmax and log-softmax of `[rows, cols]` logits, and log-softmax's gradient. Rows
//! are shifted by their maximum first so `exp` cannot overflow; sums accumulate in f64.

use crate::chunked::for_each_rows;
use crate::error::{check_len, ensure, KernelResult};

fn check(x_len: usize, out_len: usize, rows: usize, cols: usize) -> KernelResult {
    ensure(cols > 0, || "softmax: rows must have at least one column".into())?;
    check_len("softmax: input", rows * cols, x_len)?;
    check_len("softmax: output", rows * cols, out_len)
}

#[inline]
pub(crate) fn row_max(x: &[f32]) -> f32 {
    x.iter().fold(f32::NEG_INFINITY, |a, &b| if b > a { b } else { a })
}

/// Returns `(max, log(sum(exp(x - max))))` of one row.
#[inline]
pub(crate) fn row_max_logsumexp(x: &[f32]) -> (f32, f32) {
    let m = row_max(x);
    let s: f64 = x.iter().map(|&v| ((v - m) as f64).exp()).sum();
    (m, s.ln() as f32)
}

/// `out = softmax(x)` row by row.
pub fn softmax_rows(x: &[f32], rows: usize, cols: usize, out: &mut [f32]) -> KernelResult {
    check(x.len(), out.len(), rows, cols)?;
    for_each_rows(out, cols, |first, chunk| {
        for (r, o) in chunk.chunks_mut(cols).enumerate() {
            let xr = &x[(first + r) * cols..(first + r + 1) * cols];
            let m = row_max(xr);
            let mut s = 0.0f64;
            for (o, &v) in o.iter_mut().zip(xr) {
                let e = (v - m).exp();
                *o = e;
                s += e as f64;
            }
            let inv = (1.0 / s) as f32;
            o.iter_mut().for_each(|v| *v *= inv);
        }
    });
    Ok(())
}

/// `out = x - max - log(sum(exp(x - max)))` row by row.
pub fn log_softmax_rows(x: &[f32], rows: usize, cols: usize, out: &mut [f32]) -> KernelResult {
    check(x.len(), out.len(), rows, cols)?;
    for_each_rows(out, cols, |first, chunk| {
        for (r, o) in chunk.chunks_mut(cols).enumerate() {
            let xr = &x[(first + r) * cols..(first + r + 1) * cols];
            let (m, lse) = row_max_logsumexp(xr);
            for (o, &v) in o.iter_mut().zip(xr) {
                *o = v - m - lse;
            }
        }
    });
    Ok(())
}

/// Gradient of log-softmax from its output `y`: `dx = dy - exp(y) * sum(dy)` per row.
pub fn log_softmax_grad_rows(dy: &[f32], y: &[f32], rows: usize, cols: usize, dx: &mut [f32]) -> KernelResult {
    check(y.len(), dx.len(), rows, cols)?;
    check_len("log_softmax_grad: dy", rows * cols, dy.len())?;
    for_each_rows(dx, cols, |first, chunk| {
        for (r, o) in chunk.chunks_mut(cols).enumerate() {
            let span = (first + r) * cols..(first + r + 1) * cols;
            let (dyr, yr) = (&dy[span.clone()], &y[span]);
            let s = dyr.iter().map(|&v| v as f64).sum::<f64>() as f32;
            for ((o, &g), &l) in o.iter_mut().zip(dyr).zip(yr) {
                *o = g - l.exp() * s;
            }
        }
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{assert_close, random_vec};

    fn naive_log_softmax(x: &[f32], cols: usize) -> Vec<f32> {
        x.chunks(cols)
            .flat_map(|r| {
                let s: f64 = r.iter().map(|&v| (v as f64).exp()).sum();
                r.iter().map(move |&v| (v as f64 - s.ln()) as f32).collect::<Vec<_>>()
            })
            .collect()
    }

    #[test]
    fn hand_computed_row() {
        let mut o = [0.0f32; 3];
        softmax_rows(&[0.0, 0.0, (2.0f32).ln()], 1, 3, &mut o).unwrap();
        assert_close(&o, &[0.25, 0.25, 0.5], 1e-6);
        log_softmax_rows(&[1.0, 1.0], 1, 2, &mut o[..2]).unwrap();
        assert_close(&o[..2], &[-(2.0f32).ln(); 2], 1e-6);
    }

    #[test]
    fn matches_naive_and_survives_large_logits() {
        for (rows, cols) in [(1, 1), (5, 10), (3, 7), (900, 100)] {
            let x: Vec<f32> = random_vec(rows * cols, 3).iter().map(|v| v * 20.0).collect();
            let mut ls = vec![0.0; rows * cols];
            log_softmax_rows(&x, rows, cols, &mut ls).unwrap();
            assert_close(&ls, &naive_log_softmax(&x, cols), 1e-5);
            let mut sm = vec![0.0; rows * cols];
            softmax_rows(&x, rows, cols, &mut sm).unwrap();
            let want: Vec<f32> = ls.iter().map(|v| v.exp()).collect();
            assert_close(&sm, &want, 1e-6);
        }
        let mut o = [0.0f32; 2];
        log_softmax_rows(&[1000.0, 0.0], 1, 2, &mut o).unwrap();
        assert!(o[0].abs() < 1e-6 && (o[1] + 1000.0).abs() < 1e-3);
    }

    #[test]
    fn grad_matches_finite_differences() {
        let (rows, cols) = (3, 5);
        let x = random_vec(rows * cols, 7);
        let dy = random_vec(rows * cols, 8);
        let mut y = vec![0.0; rows * cols];
        log_softmax_rows(&x, rows, cols, &mut y).unwrap();
        let mut dx = vec![0.0; rows * cols];
        log_softmax_grad_rows(&dy, &y, rows, cols, &mut dx).unwrap();
        // d/dx_i of sum(dy * log_softmax(x)), central differences in f64.
        let f = |x: &[f32]| -> f64 {
            naive_log_softmax(x, cols).iter().zip(&dy).map(|(&a, &b)| a as f64 * b as f64).sum()
        };
        let h = 1e-2f32;
        for i in 0..x.len() {
            let (mut xp, mut xm) = (x.clone(), x.clone());
            xp[i] += h;
            xm[i] -= h;
            let fd = ((f(&xp) - f(&xm)) / (2.0 * h as f64)) as f32;
            assert!((dx[i] - fd).abs() < 2e-3, "index {i}: {} vs {fd}", dx[i]);
        }
    }

    #[test]
    fn bad_shapes_are_errors() {
        let mut o = [0.0f32; 4];
        assert!(softmax_rows(&[0.0; 3], 2, 2, &mut o).is_err());
        assert!(log_softmax_rows(&[], 0, 0, &mut []).is_err());
    }
}
