//! Batched matrix multiply (tfjs `BatchMatMul`) with the bias + activation epilogue of
//! `_FusedMatMul`. Batch dimensions broadcast when one side has a single matrix.
use crate::activation::{bias_activation_rows, Activation};
use crate::blas::{sgemm, Gemm};
use crate::error::{check_len, ensure, KernelResult};
use crate::par_gemm::par_sgemm;
use rayon::prelude::*;

/// `out[b] = op(a[b or 0]) x op(b[b or 0])`, `op` a transpose when the flag is set.
/// Stored shapes: `a` `[batch_a, m, k]` (`[batch_a, k, m]` if `trans_a`), `b` `[batch_b, k, n]`
/// (`[batch_b, n, k]` if `trans_b`), `out` `[max(batch_a, batch_b), m, n]`.
#[derive(Clone, Copy, Debug)]
pub struct MatmulShape {
    pub batch_a: usize,
    pub batch_b: usize,
    pub m: usize,
    pub n: usize,
    pub k: usize,
    pub trans_a: bool,
    pub trans_b: bool,
}

impl MatmulShape {
    pub fn batch(&self) -> usize {
        self.batch_a.max(self.batch_b)
    }
}

/// Runs the batched product, then adds `bias` (`[n]`) and applies `act` to every row.
pub fn batch_matmul(
    s: &MatmulShape,
    a: &[f32],
    b: &[f32],
    bias: Option<&[f32]>,
    act: Activation,
    out: &mut [f32],
) -> KernelResult {
    ensure(s.batch_a > 0 && s.batch_b > 0, || format!("matmul: batch sizes must be positive, got {s:?}"))?;
    ensure(s.batch_a == s.batch_b || s.batch_a == 1 || s.batch_b == 1, || {
        format!("matmul: batch sizes {} and {} do not broadcast", s.batch_a, s.batch_b)
    })?;
    let (m, n, k) = (s.m, s.n, s.k);
    check_len("matmul a", s.batch_a * m * k, a.len())?;
    check_len("matmul b", s.batch_b * k * n, b.len())?;
    check_len("matmul output", s.batch() * m * n, out.len())?;
    if let Some(bv) = bias {
        check_len("matmul bias", n, bv.len())?;
    }
    if m * n == 0 {
        return Ok(());
    }
    let gemm = Gemm::dense(m, n, k, s.trans_a, s.trans_b);
    let a_of = |i: usize| if s.batch_a == 1 { &a[..m * k] } else { &a[i * m * k..(i + 1) * m * k] };
    let b_of = |i: usize| if s.batch_b == 1 { &b[..k * n] } else { &b[i * k * n..(i + 1) * k * n] };
    if s.batch() >= 2 * rayon::current_num_threads() {
        out.par_chunks_mut(m * n).enumerate().for_each(|(i, c)| {
            sgemm(&gemm, a_of(i), b_of(i), c);
            bias_activation_rows(c, n, bias, act);
        });
    } else {
        for (i, c) in out.chunks_mut(m * n).enumerate() {
            par_sgemm(&gemm, a_of(i), b_of(i), c);
        }
        if bias.is_some() || act != Activation::Linear {
            let rows = (m.div_ceil(rayon::current_num_threads())).max(1);
            out.par_chunks_mut(rows * n).for_each(|c| bias_activation_rows(c, n, bias, act));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{assert_close, naive_matmul, random_vec};

    fn check(s: MatmulShape, bias: bool, act: Activation) {
        let (m, n, k) = (s.m, s.n, s.k);
        let a = random_vec(s.batch_a * m * k, 11);
        let b = random_vec(s.batch_b * k * n, 12);
        let bv = random_vec(n, 13);
        let mut out = vec![f32::NAN; s.batch() * m * n];
        batch_matmul(&s, &a, &b, bias.then_some(&bv[..]), act, &mut out).unwrap();
        for i in 0..s.batch() {
            let ai = if s.batch_a == 1 { 0 } else { i };
            let bi = if s.batch_b == 1 { 0 } else { i };
            let want: Vec<f32> = naive_matmul(&a[ai * m * k..][..m * k], &b[bi * k * n..][..k * n], m, n, k, s.trans_a, s.trans_b)
                .iter()
                .enumerate()
                .map(|(j, v)| act.apply(v + if bias { bv[j % n] } else { 0.0 }))
                .collect();
            assert_close(&out[i * m * n..(i + 1) * m * n], &want, 1e-4);
        }
    }

    #[test]
    fn matches_naive_with_transposes_and_broadcast() {
        for &(ta, tb) in &[(false, false), (true, false), (false, true), (true, true)] {
            let s = |batch_a, batch_b, m, n, k| MatmulShape { batch_a, batch_b, m, n, k, trans_a: ta, trans_b: tb };
            check(s(1, 1, 100, 10, 3136), false, Activation::Linear);
            check(s(5, 5, 7, 9, 3), false, Activation::Linear);
            check(s(1, 6, 4, 5, 6), false, Activation::Linear);
            check(s(6, 1, 4, 5, 6), false, Activation::Linear);
            check(s(1, 1, 3, 700, 130), false, Activation::Linear);
        }
    }

    #[test]
    fn fuses_bias_and_activation() {
        let s = MatmulShape { batch_a: 1, batch_b: 1, m: 100, n: 100, k: 300, trans_a: false, trans_b: false };
        check(s, true, Activation::Relu);
        check(MatmulShape { batch_a: 4, batch_b: 4, ..s }, true, Activation::Sigmoid);
    }

    #[test]
    fn rejects_non_broadcasting_batches() {
        let s = MatmulShape { batch_a: 2, batch_b: 3, m: 1, n: 1, k: 1, trans_a: false, trans_b: false };
        let err = batch_matmul(&s, &[0.0; 2], &[0.0; 3], None, Activation::Linear, &mut [0.0; 3]);
        assert!(err.unwrap_err().to_string().contains("do not broadcast"));
    }
}
