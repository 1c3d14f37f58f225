//! Per-example KL divergence between the softmaxes of two logit matrices,
//! `kl[i] = sum_k p_ik (log p_ik - log q_ik)` with `p = softmax(pLogits)`, `q = softmax(qLogits)`,
//! and its gradient with respect to both logit matrices. TRADES, MART and CAT's KL terms use it;
//! the batch mean is one more (cheap) tfjs op on the `[rows]` result.

use crate::error::{check_len, ensure, KernelResult};
use crate::softmax::row_max_logsumexp;
use rayon::prelude::*;

fn check(p: &[f32], q: &[f32], rows: usize, cols: usize) -> KernelResult {
    ensure(cols > 0, || "kl_div: rows must have at least one column".into())?;
    check_len("kl_div: pLogits", rows * cols, p.len())?;
    check_len("kl_div: qLogits", rows * cols, q.len())
}

/// Rows per parallel task: a row of 10 classes is ~100 ns of work.
const MIN_ROWS: usize = 256;

/// `out[i] = KL(softmax(p_i) || softmax(q_i))`.
pub fn kl_div_rows(p_logits: &[f32], q_logits: &[f32], rows: usize, cols: usize, out: &mut [f32]) -> KernelResult {
    check(p_logits, q_logits, rows, cols)?;
    check_len("kl_div: output", rows, out.len())?;
    out.par_iter_mut().enumerate().with_min_len(MIN_ROWS).for_each(|(i, o)| {
        let (pr, qr) = (&p_logits[i * cols..(i + 1) * cols], &q_logits[i * cols..(i + 1) * cols]);
        let (pm, plse) = row_max_logsumexp(pr);
        let (qm, qlse) = row_max_logsumexp(qr);
        let mut kl = 0.0f64;
        for (&a, &b) in pr.iter().zip(qr) {
            let lp = (a - pm - plse) as f64;
            let lq = (b - qm - qlse) as f64;
            kl += lp.exp() * (lp - lq);
        }
        *o = kl as f32;
    });
    Ok(())
}

/// Gradient of `sum_i dy[i] * kl[i]`: `dq_ik = dy_i (q_ik - p_ik)` and
/// `dp_ik = dy_i p_ik (log p_ik - log q_ik - kl_i)`.
pub fn kl_div_rows_grad(
    dy: &[f32],
    p_logits: &[f32],
    q_logits: &[f32],
    rows: usize,
    cols: usize,
    dp: &mut [f32],
    dq: &mut [f32],
) -> KernelResult {
    check(p_logits, q_logits, rows, cols)?;
    check_len("kl_div_grad: dy", rows, dy.len())?;
    check_len("kl_div_grad: dp", rows * cols, dp.len())?;
    check_len("kl_div_grad: dq", rows * cols, dq.len())?;
    dp.par_chunks_mut(cols)
        .zip(dq.par_chunks_mut(cols))
        .enumerate()
        .with_min_len(MIN_ROWS)
        .for_each(|(i, (dpr, dqr))| {
            let (pr, qr) = (&p_logits[i * cols..(i + 1) * cols], &q_logits[i * cols..(i + 1) * cols]);
            let (pm, plse) = row_max_logsumexp(pr);
            let (qm, qlse) = row_max_logsumexp(qr);
            let mut kl = 0.0f64;
            for (&a, &b) in pr.iter().zip(qr) {
                let lp = (a - pm - plse) as f64;
                kl += lp.exp() * (lp - (b - qm - qlse) as f64);
            }
            let g = dy[i] as f64;
            for k in 0..cols {
                let lp = (pr[k] - pm - plse) as f64;
                let lq = (qr[k] - qm - qlse) as f64;
                let (p, q) = (lp.exp(), lq.exp());
                dqr[k] = (g * (q - p)) as f32;
                dpr[k] = (g * p * (lp - lq - kl)) as f32;
            }
        });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::random_vec;

    fn naive_kl(p: &[f32], q: &[f32], cols: usize) -> Vec<f64> {
        let sm = |r: &[f32]| {
            let s: f64 = r.iter().map(|&v| (v as f64).exp()).sum();
            r.iter().map(|&v| (v as f64).exp() / s).collect::<Vec<f64>>()
        };
        p.chunks(cols)
            .zip(q.chunks(cols))
            .map(|(a, b)| {
                let (pa, qb) = (sm(a), sm(b));
                pa.iter().zip(&qb).map(|(x, y)| x * (x.ln() - y.ln())).sum()
            })
            .collect()
    }

    #[test]
    fn hand_computed_and_zero_for_equal_rows() {
        // p = (1/2, 1/2), q = (1/4, 3/4): KL = 0.5 ln 2 + 0.5 ln(2/3).
        let mut o = [0.0f32; 2];
        let q1 = [0.0, (3.0f32).ln()];
        kl_div_rows(&[0.0, 0.0, 1.0, 2.0], &[q1[0], q1[1], 6.0, 7.0], 2, 2, &mut o).unwrap();
        let want = 0.5 * (2.0f32).ln() + 0.5 * (2.0f32 / 3.0).ln();
        assert!((o[0] - want).abs() < 1e-6, "{} vs {want}", o[0]);
        assert!(o[1].abs() < 1e-6, "shifted logits give the same softmax");
    }

    #[test]
    fn matches_naive_on_many_rows() {
        let (rows, cols) = (1000, 10);
        let p: Vec<f32> = random_vec(rows * cols, 1).iter().map(|v| v * 5.0).collect();
        let q: Vec<f32> = random_vec(rows * cols, 2).iter().map(|v| v * 5.0).collect();
        let mut o = vec![0.0; rows];
        kl_div_rows(&p, &q, rows, cols, &mut o).unwrap();
        for (g, w) in o.iter().zip(naive_kl(&p, &q, cols)) {
            assert!((*g as f64 - w).abs() < 1e-5 * (1.0 + w.abs()), "{g} vs {w}");
        }
    }

    #[test]
    fn grad_matches_finite_differences() {
        let (rows, cols) = (3, 4);
        let p: Vec<f32> = random_vec(rows * cols, 5).iter().map(|v| v * 2.0).collect();
        let q: Vec<f32> = random_vec(rows * cols, 6).iter().map(|v| v * 2.0).collect();
        let dy = [0.5f32, -1.0, 2.0];
        let (mut dp, mut dq) = (vec![0.0; rows * cols], vec![0.0; rows * cols]);
        kl_div_rows_grad(&dy, &p, &q, rows, cols, &mut dp, &mut dq).unwrap();
        let f = |p: &[f32], q: &[f32]| -> f64 {
            naive_kl(p, q, cols).iter().zip(&dy).map(|(k, &d)| k * d as f64).sum()
        };
        let h = 1e-3f32;
        for i in 0..rows * cols {
            let (mut pp, mut pm) = (p.clone(), p.clone());
            pp[i] += h;
            pm[i] -= h;
            let fd = (f(&pp, &q) - f(&pm, &q)) / (2.0 * h as f64);
            assert!((dp[i] as f64 - fd).abs() < 1e-3, "dp[{i}] {} vs {fd}", dp[i]);
            let (mut qp, mut qm) = (q.clone(), q.clone());
            qp[i] += h;
            qm[i] -= h;
            let fd = (f(&p, &qp) - f(&p, &qm)) / (2.0 * h as f64);
            assert!((dq[i] as f64 - fd).abs() < 1e-3, "dq[{i}] {} vs {fd}", dq[i]);
        }
    }

    #[test]
    fn bad_lengths_are_errors() {
        let mut o = [0.0f32; 1];
        assert!(kl_div_rows(&[0.0; 4], &[0.0; 3], 2, 2, &mut o).is_err());
    }
}
