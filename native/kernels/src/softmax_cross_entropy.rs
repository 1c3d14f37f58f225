//! Per-example softmax cross-entropy with (soft or one-hot) label rows,
//! `ce[i] = -sum_k labels_ik log softmax(logits_i)_k`, and its gradient with respect to the
//! logits and the labels (tfjs's own softmaxCrossEntropy gives the labels a gradient too).

use crate::error::{check_len, ensure, KernelResult};
use crate::softmax::row_max_logsumexp;
use rayon::prelude::*;

const MIN_ROWS: usize = 256;

fn check(logits: &[f32], labels: &[f32], rows: usize, cols: usize) -> KernelResult {
    ensure(cols > 0, || "softmax_cross_entropy: rows must have at least one column".into())?;
    check_len("softmax_cross_entropy: logits", rows * cols, logits.len())?;
    check_len("softmax_cross_entropy: labels", rows * cols, labels.len())
}

/// `out[i] = -sum_k labels_ik * log_softmax(logits_i)_k`.
pub fn softmax_cross_entropy_rows(logits: &[f32], labels: &[f32], rows: usize, cols: usize, out: &mut [f32]) -> KernelResult {
    check(logits, labels, rows, cols)?;
    check_len("softmax_cross_entropy: output", rows, out.len())?;
    out.par_iter_mut().enumerate().with_min_len(MIN_ROWS).for_each(|(i, o)| {
        let (z, t) = (&logits[i * cols..(i + 1) * cols], &labels[i * cols..(i + 1) * cols]);
        let (m, lse) = row_max_logsumexp(z);
        let ce: f64 = z.iter().zip(t).map(|(&zk, &tk)| -(tk as f64) * (zk - m - lse) as f64).sum();
        *o = ce as f32;
    });
    Ok(())
}

/// Gradient of `sum_i dy[i] * ce[i]`: `dlogits_ik = dy_i (softmax_ik * sum_k labels_ik - labels_ik)`
/// and `dlabels_ik = -dy_i log_softmax_ik`.
pub fn softmax_cross_entropy_rows_grad(
    dy: &[f32],
    logits: &[f32],
    labels: &[f32],
    rows: usize,
    cols: usize,
    dlogits: &mut [f32],
    dlabels: &mut [f32],
) -> KernelResult {
    check(logits, labels, rows, cols)?;
    check_len("softmax_cross_entropy_grad: dy", rows, dy.len())?;
    check_len("softmax_cross_entropy_grad: dlogits", rows * cols, dlogits.len())?;
    check_len("softmax_cross_entropy_grad: dlabels", rows * cols, dlabels.len())?;
    dlogits
        .par_chunks_mut(cols)
        .zip(dlabels.par_chunks_mut(cols))
        .enumerate()
        .with_min_len(MIN_ROWS)
        .for_each(|(i, (dz, dt))| {
            let (z, t) = (&logits[i * cols..(i + 1) * cols], &labels[i * cols..(i + 1) * cols]);
            let (m, lse) = row_max_logsumexp(z);
            let tsum = t.iter().map(|&v| v as f64).sum::<f64>() as f32;
            let g = dy[i];
            for k in 0..cols {
                let ls = z[k] - m - lse;
                dz[k] = g * (ls.exp() * tsum - t[k]);
                dt[k] = -g * ls;
            }
        });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::random_vec;

    fn naive(z: &[f32], t: &[f32], cols: usize) -> Vec<f64> {
        z.chunks(cols)
            .zip(t.chunks(cols))
            .map(|(z, t)| {
                let s: f64 = z.iter().map(|&v| (v as f64).exp()).sum();
                z.iter().zip(t).map(|(&a, &b)| -(b as f64) * (a as f64 - s.ln())).sum()
            })
            .collect()
    }

    #[test]
    fn hand_computed_one_hot() {
        // Uniform logits over 4 classes: CE = ln 4 whatever the label.
        let mut o = [0.0f32; 1];
        softmax_cross_entropy_rows(&[3.0; 4], &[0.0, 0.0, 1.0, 0.0], 1, 4, &mut o).unwrap();
        assert!((o[0] - (4.0f32).ln()).abs() < 1e-6);
    }

    #[test]
    fn matches_naive_on_many_rows() {
        let (rows, cols) = (700, 10);
        let z: Vec<f32> = random_vec(rows * cols, 11).iter().map(|v| v * 8.0).collect();
        let t: Vec<f32> = random_vec(rows * cols, 12).iter().map(|v| v.abs()).collect();
        let mut o = vec![0.0; rows];
        softmax_cross_entropy_rows(&z, &t, rows, cols, &mut o).unwrap();
        for (g, w) in o.iter().zip(naive(&z, &t, cols)) {
            assert!((*g as f64 - w).abs() < 1e-5 * (1.0 + w.abs()), "{g} vs {w}");
        }
    }

    #[test]
    fn grad_matches_finite_differences() {
        let (rows, cols) = (2, 5);
        let z: Vec<f32> = random_vec(rows * cols, 21).iter().map(|v| v * 3.0).collect();
        let t: Vec<f32> = random_vec(rows * cols, 22).iter().map(|v| v.abs()).collect();
        let dy = [1.5f32, -0.5];
        let (mut dz, mut dt) = (vec![0.0; rows * cols], vec![0.0; rows * cols]);
        softmax_cross_entropy_rows_grad(&dy, &z, &t, rows, cols, &mut dz, &mut dt).unwrap();
        let f = |z: &[f32], t: &[f32]| -> f64 { naive(z, t, cols).iter().zip(&dy).map(|(c, &d)| c * d as f64).sum() };
        let h = 1e-3f32;
        for i in 0..rows * cols {
            let (mut a, mut b) = (z.clone(), z.clone());
            a[i] += h;
            b[i] -= h;
            let fd = (f(&a, &t) - f(&b, &t)) / (2.0 * h as f64);
            assert!((dz[i] as f64 - fd).abs() < 1e-3, "dlogits[{i}] {} vs {fd}", dz[i]);
            let (mut a, mut b) = (t.clone(), t.clone());
            a[i] += h;
            b[i] -= h;
            let fd = (f(&z, &a) - f(&z, &b)) / (2.0 * h as f64);
            assert!((dt[i] as f64 - fd).abs() < 1e-3, "dlabels[{i}] {} vs {fd}", dt[i]);
        }
    }
}
